"""The learners' IAM users in the class's account, their policies and their credential files.

Per learner (``learner_policy.py`` for the documents): managed policies ``<learner>-student-policy`` (the
identity policy) and ``<learner>-student-boundary`` (the permissions boundary), and the user
``<learner>-student`` with that boundary and that policy attached, all under the path ``/kit-classroom/`` and
tagged ``kit=lambda-url-kit``, ``learner=<learner>``, ``class=<class>``. Choice: managed, not inline, policies,
because IAM limits a user's inline policies to 2,048 characters and a managed policy to 6,144
(reference_iam-quotas.html), and the learner's policy is longer than 2,048.

``ensure_learner`` is idempotent: a second run brings the policies up to date and makes no second user or key;
``rotate=True`` makes a fresh key and then deletes the older ones. A key's secret is only known when it is made
(IAM shows it once, CreateAccessKey), so only then is the learner's credential file written.

The credential file ``<dir>/<learner>.env`` (folder ``0700``, file ``0600``) holds ``KIT_MODE=aws``,
``KIT_LEARNER``, ``KIT_REGION``, ``KIT_PERMISSIONS_BOUNDARY`` (``KIT_DOMAIN`` when the class has one) and the
key as ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``: ``set -a; . alice.env; set +a`` before starting
JupyterLab. ``hub-environment.json`` in the same folder holds the same variables per learner, for a JupyterHub
spawner's ``environment`` (see share/instructor-guide.md).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..local.iam.credentials import private_folder
from .learner_policy import CLASS_PATH, boundary_arn, boundary_name, learner_policy, permissions_boundary, user_name

KIT_TAG = "lambda-url-kit"
HUB_FILE = "hub-environment.json"


def policy_name(learner: str) -> str:
    return f"{learner}-student-policy"


def policy_arn(learner: str, account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:policy{CLASS_PATH}{policy_name(learner)}"


def class_tags(learner: str, class_name: str) -> dict[str, str]:
    """The kit's tags on what it makes for ``learner`` (``Settings.tags``) and the class's own."""
    return {"kit": KIT_TAG, "learner": learner, "class": class_name}


@dataclass(frozen=True)
class LearnerAccount:
    learner: str
    user_arn: str
    access_key: str
    created: bool  # the user is new
    secret_key: str | None = field(default=None, repr=False)  # known only for a key made by this run


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _ensure_policy(iam: Any, name: str, arn: str, document: dict[str, Any], tags: dict[str, str]) -> None:
    text = json.dumps(document, separators=(",", ":"))
    try:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
    except iam.exceptions.NoSuchEntityException:
        iam.create_policy(PolicyName=name, Path=CLASS_PATH, PolicyDocument=text, Tags=_tag_list(tags))
        return
    current = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    shown = current["Document"]
    if (json.loads(shown) if isinstance(shown, str) else shown) == json.loads(text):
        return
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:  # IAM keeps five versions at most
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=text, SetAsDefault=True)


def ensure_learner(
    iam: Any,
    learner: str,
    *,
    account_id: str,
    regions: list[str],
    domain: str,
    class_name: str,
    rotate: bool = False,
) -> LearnerAccount:
    """The learner's policies, boundary, user and one active key (see the module docstring)."""
    tags = class_tags(learner, class_name)
    boundary = boundary_arn(learner, account_id)
    _ensure_policy(
        iam, boundary_name(learner), boundary, permissions_boundary(learner, account_id, regions, domain), tags
    )
    policy = policy_arn(learner, account_id)
    _ensure_policy(iam, policy_name(learner), policy, learner_policy(learner, account_id, regions, domain), tags)
    name = user_name(learner)
    try:
        user = iam.get_user(UserName=name)["User"]
        created = False
    except iam.exceptions.NoSuchEntityException:
        user = iam.create_user(UserName=name, Path=CLASS_PATH, PermissionsBoundary=boundary, Tags=_tag_list(tags))[
            "User"
        ]
        created = True
    if (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") != boundary:
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)
    attached = iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
    if policy not in {p["PolicyArn"] for p in attached}:
        iam.attach_user_policy(UserName=name, PolicyArn=policy)
    keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    if keys and not rotate:
        return LearnerAccount(learner, user["Arn"], keys[0]["AccessKeyId"], created)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    for old in keys:
        iam.delete_access_key(UserName=name, AccessKeyId=old["AccessKeyId"])
    return LearnerAccount(learner, user["Arn"], key["AccessKeyId"], created, key["SecretAccessKey"])


def delete_learner(iam: Any, learner: str, *, account_id: str) -> list[str]:
    """Remove the learner's key(s), user and policies; what was removed, in order (nothing twice)."""
    removed: list[str] = []
    name = user_name(learner)
    try:
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
            removed.append(f"access key {key['AccessKeyId']}")
        for attached in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
            iam.detach_user_policy(UserName=name, PolicyArn=attached["PolicyArn"])
        iam.delete_user(UserName=name)
        removed.append(f"IAM user {name}")
    except iam.exceptions.NoSuchEntityException:
        pass
    for arn in (policy_arn(learner, account_id), boundary_arn(learner, account_id)):
        try:
            for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=arn)
            removed.append(f"IAM policy {arn.rsplit('/', 1)[1]}")
        except iam.exceptions.NoSuchEntityException:
            pass
    return removed


def credential_variables(
    account: LearnerAccount, *, region: str, account_id: str, domain: str | None
) -> dict[str, str]:
    """The environment a learner's kernel needs for aws mode with their own key."""
    if account.secret_key is None:
        raise ValueError(f"the secret of {account.access_key} is known only when it is made: use --rotate")
    variables = {
        "KIT_MODE": "aws",
        "KIT_LEARNER": account.learner,
        "KIT_REGION": region,
        "KIT_PERMISSIONS_BOUNDARY": boundary_arn(account.learner, account_id),
        "AWS_ACCESS_KEY_ID": account.access_key,
        "AWS_SECRET_ACCESS_KEY": account.secret_key,
    }
    if domain:
        variables["KIT_DOMAIN"] = domain
    return variables


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)  # an older file may have had looser bits


def write_credentials(directory: Path, learner: str, variables: dict[str, str]) -> Path:
    """``<directory>/<learner>.env`` (``0600``, folder ``0700``), and the learner's entry in the hub file."""
    private_folder(directory)
    path = directory / f"{learner}.env"
    _write_private(path, "".join(f"{key}={value}\n" for key, value in variables.items()))
    hub = directory / HUB_FILE
    entries = json.loads(hub.read_text()) if hub.exists() else {}
    entries[learner] = variables
    _write_private(hub, json.dumps(entries, indent=2, sort_keys=True) + "\n")
    return path


def read_credentials(path: Path) -> dict[str, str]:
    """The variables of a ``.env`` file written by ``write_credentials``."""
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}
