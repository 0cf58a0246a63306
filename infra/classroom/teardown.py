"""Remove a whole class: every learner's things, then the class's own users and policies, then say what is left.

For every roster name, the kit's learner teardown (``infra/steps/teardown.py``) runs with that learner's
settings in each of the class's regions (it removes what is named ``<learner>-*`` and tagged as theirs), then
``accounts.delete_learner`` removes the learner's IAM user, key and policies. What is still there afterwards
is listed: anything the learner teardown still finds, functions tagged ``kit=lambda-url-kit`` with a roster
learner's tag in any class region, and anything under the class's IAM path. Choice: nothing outside the
roster is touched, even if it carries the kit's tag; it is only listed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..steps.teardown import CLASS_PATH, Teardown
from .accounts import KIT_TAG, delete_learner

Report = Callable[[str], None]


def learner_kit(kit: Any, learner: str, region: str) -> Any:
    """The same kit (clients, endpoint, mode) acting for ``learner`` in ``region``."""
    return dataclasses.replace(kit, settings=dataclasses.replace(kit.settings, learner=learner, region=region))


def teardown_class(
    kit: Any, learners: list[str], regions: list[str], *, account_id: str, report: Report = print
) -> list[str]:
    """Remove the class; what is left afterwards (one line each; empty when the account is clean)."""
    for learner in learners:
        for region in regions:
            one = Teardown(learner_kit(kit, learner, region))
            for row in one.run(one.inventory(), report=report):
                report(f"{learner}: {row['kind']} {row['name']}: {row['outcome']}")
        for what in delete_learner(kit.client("iam"), learner, account_id=account_id):
            report(f"{learner}: deleted {what}")
    return leftovers(kit, learners, regions)


def leftovers(kit: Any, learners: list[str], regions: list[str]) -> list[str]:
    """What of the class is still in the account (see the module docstring)."""
    left: list[str] = []
    for learner in learners:
        for region in regions:
            left += [
                f"{learner}: {r.kind} {r.name} ({region})"
                for r in Teardown(learner_kit(kit, learner, region)).inventory()
            ]
    roster = set(learners)
    for region in regions:
        lam = kit.client("lambda", region)
        for page in lam.get_paginator("list_functions").paginate():
            for fn in page["Functions"]:
                tags = lam.list_tags(Resource=fn["FunctionArn"]).get("Tags", {})
                if tags.get("kit") == KIT_TAG and tags.get("learner") in roster:
                    line = f"{tags['learner']}: function {fn['FunctionName']} ({region})"
                    left += [] if line in left else [line]
    iam = kit.client("iam")
    left += [f"IAM user {u['UserName']}" for u in iam.list_users(PathPrefix=CLASS_PATH)["Users"]]
    left += [
        f"IAM policy {p['PolicyName']}" for p in iam.list_policies(Scope="Local", PathPrefix=CLASS_PATH)["Policies"]
    ]
    return left
