"""Which notebook each learner has reached, read from what exists in the account (no agent in the kernels).

What each notebook leaves behind (names from the notebooks and ``infra/steps``), the furthest one found wins:

| notebook | evidence |
|---|---|
| 01 | function ``<learner>-hello`` |
| 02 | a Function URL on ``<learner>-api`` |
| 03 | function ``<learner>-private-api`` or IAM user ``<learner>-reader`` |
| 04 | function ``<learner>-slow-counter``, ``<learner>-typing-effect`` or ``<learner>-counter-response-stream`` |
| 05 | a distribution whose comment is ``<learner>-api-cdn`` or ``<learner>-slow-counter-cdn`` |
| 06 | origin access control ``<learner>-lambda-url-oac`` |
| 07 | a certificate tagged ``learner=<learner>`` in us-east-1 |
| 08 | an alias of function ``<learner>-release`` |

Choice: a learner who cleaned up (notebook 10) shows as having reached nothing, as the account shows it; notebook
09 (the cost) creates nothing, so a learner there shows 08. Every list is read page by page, so a class of any size
is counted whole. ``watch`` refreshes the table in a notebook (``share/class_dashboard.ipynb``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..i18n import t

CLOUDFRONT_REGION = "us-east-1"


def _functions(kit: Any) -> set[str]:
    lam = kit.client("lambda")
    return {f["FunctionName"] for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]}


def _origin_access_controls(cf: Any) -> list[dict[str, Any]]:
    """Every origin access control, page by page (``Marker``/``NextMarker``; boto3 has no paginator for it)."""
    found: list[dict[str, Any]] = []
    marker = ""
    while True:
        page = cf.list_origin_access_controls(**({"Marker": marker} if marker else {}))["OriginAccessControlList"]
        found += page.get("Items") or []
        marker = page.get("NextMarker") or ""
        if not page.get("IsTruncated") or not marker:
            return found


def progress(kit: Any, learners: list[str]) -> dict[str, tuple[str, str]]:
    """learner -> (notebook number, what shows it); ``("", "")`` for a learner with nothing in the account."""
    lam = kit.client("lambda")
    functions = _functions(kit)
    users = {u["UserName"] for page in kit.client("iam").get_paginator("list_users").paginate() for u in page["Users"]}
    cf = kit.client("cloudfront", CLOUDFRONT_REGION)
    comments = {
        d.get("Comment", "")
        for page in cf.get_paginator("list_distributions").paginate()
        for d in page["DistributionList"].get("Items") or []
    }
    oacs = {o["Name"] for o in _origin_access_controls(cf)}
    acm = kit.client("acm", CLOUDFRONT_REGION)
    certificate_owners = set()
    summaries = [
        s for page in acm.get_paginator("list_certificates").paginate() for s in page["CertificateSummaryList"]
    ]
    for summary in summaries:
        tags = acm.list_tags_for_certificate(CertificateArn=summary["CertificateArn"]).get("Tags", [])
        certificate_owners.update(tag.get("Value", "") for tag in tags if tag["Key"] == "learner")
    found: dict[str, tuple[str, str]] = {}
    for learner in learners:
        steps: list[tuple[str, str]] = []

        def has(name: str, where: set[str], learner: str = learner) -> bool:
            return f"{learner}-{name}" in where

        if has("hello", functions):
            steps.append(("01", f"{learner}-hello"))
        if has("api", functions) and lam.list_function_url_configs(FunctionName=f"{learner}-api")["FunctionUrlConfigs"]:
            steps.append(("02", f"{learner}-api URL"))
        if has("private-api", functions) or has("reader", users):
            steps.append(("03", f"{learner}-private-api / {learner}-reader"))
        streaming = [n for n in ("slow-counter", "typing-effect", "counter-response-stream") if has(n, functions)]
        if streaming:
            steps.append(("04", f"{learner}-{streaming[0]}"))
        cdn = [n for n in ("api-cdn", "slow-counter-cdn") if has(n, comments)]
        if cdn:
            steps.append(("05", f"{learner}-{cdn[0]}"))
        if has("lambda-url-oac", oacs):
            steps.append(("06", f"{learner}-lambda-url-oac"))
        if learner in certificate_owners:
            steps.append(("07", "certificate"))
        if has("release", functions) and lam.list_aliases(FunctionName=f"{learner}-release")["Aliases"]:
            steps.append(("08", f"{learner}-release aliases"))
        found[learner] = max(steps) if steps else ("", "")
    return found


def dashboard_table(kit: Any, learners: list[str], lang: str | None = None) -> pd.DataFrame:
    """One row per learner: the notebook reached and what shows it, with the catalog's column names."""
    language = lang or getattr(getattr(kit, "settings", None), "lang", None)
    rows = []
    for learner, (notebook, evidence) in progress(kit, learners).items():
        rows.append(
            {
                t("classroom.learner", language): learner,
                t("classroom.notebook", language): notebook or t("classroom.none", language),
                t("classroom.evidence", language): evidence or "-",
            }
        )
    columns = [t(k, language) for k in ("classroom.learner", "classroom.notebook", "classroom.evidence")]
    return pd.DataFrame(rows, columns=columns)


def watch(kit: Any, learners: list[str], *, every: float = 30.0, rounds: int = 60) -> pd.DataFrame:
    """Show the table in a notebook and refresh it in place every ``every`` seconds, ``rounds`` times (interrupt the
    kernel to stop sooner); the last table is returned."""
    import time
    from datetime import datetime

    from IPython.display import clear_output, display

    table = dashboard_table(kit, learners)
    for round_ in range(max(1, rounds)):
        if round_:
            time.sleep(every)
            table = dashboard_table(kit, learners)
        clear_output(wait=True)
        print(t("classroom.refreshed", getattr(kit.settings, "lang", None), time=datetime.now().strftime("%H:%M:%S")))
        display(table)
    return table
