"""Versions, aliases and provisioned concurrency: the deploy steps of the versions lesson, idempotent.

- ``publish_version``: ``PublishVersion`` freezes ``$LATEST``'s code and configuration as the next number; when
  neither changed since the last version, Lambda publishes nothing and answers that version
  (API_PublishVersion.html: "Lambda doesn't publish a version if the function's configuration and code haven't
  changed since the last version"), which is what makes a re-run notebook publish nothing new.
- ``ensure_alias``: create the alias or point it where asked, with or without weights (``traffic_shift.route``
  does the blue/green steps).
- ``ensure_provisioned_concurrency`` / ``wait_provisioned``: ``PutProvisionedConcurrencyConfig`` on an alias or a
  version, then wait for ``READY`` (``IN_PROGRESS`` until that many environments have run their INIT; a few
  minutes on AWS, a second or two locally). It is billed while configured: ``remove_provisioned_concurrency``.
- ``versions_table`` and ``report_rows``: what a learner reads: each version with the ``RELEASE`` it froze, and
  the REPORT lines of an alias's invocations with the version that ran (its log stream's ``[<version>]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..i18n import t
from ..polling import Progress, wait_for_status
from ..pricing import report_events
from ..reports import parse_report


@dataclass(frozen=True)
class Version:
    """A published version; ``unchanged`` when nothing changed since the last one (no new number)."""

    number: str
    arn: str
    action: str  # "published" | "unchanged"


@dataclass(frozen=True)
class Alias:
    name: str
    arn: str
    version: str
    weights: dict[str, float]
    action: str  # "created" | "updated" | "unchanged"


def _versions(lam: Any, name: str) -> Iterator[dict[str, Any]]:
    """Every version of the function (``$LATEST`` too), as ``ListVersionsByFunction`` gives them, all pages."""
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=name):
        yield from page["Versions"]


def published_numbers(lam: Any, name: str) -> list[str]:
    """The function's published version numbers, oldest first (``$LATEST`` left out)."""
    return sorted((v["Version"] for v in _versions(lam, name) if v["Version"] != "$LATEST"), key=int)


def publish_version(lam: Any, name: str, description: str = "") -> Version:
    """Publish ``$LATEST`` as a version (or get the last one back, when nothing changed since)."""
    before = set(published_numbers(lam, name))
    published = lam.publish_version(FunctionName=name, Description=description)
    number = published["Version"]
    return Version(number, published["FunctionArn"], "unchanged" if number in before else "published")


def ensure_alias(
    lam: Any, name: str, alias: str, version: str, *, weights: dict[str, float] | None = None, description: str = ""
) -> Alias:
    """The alias ``alias`` of the function, pointing at ``version`` with these additional version weights."""
    routing = {"AdditionalVersionWeights": dict(weights)} if weights else {}
    try:
        current = lam.get_alias(FunctionName=name, Name=alias)
    except lam.exceptions.ResourceNotFoundException:
        created = lam.create_alias(
            FunctionName=name, Name=alias, FunctionVersion=version, Description=description, RoutingConfig=routing
        )
        return Alias(alias, created["AliasArn"], version, dict(weights or {}), "created")
    current_weights = (current.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {})
    if current["FunctionVersion"] == version and current_weights == dict(weights or {}):
        return Alias(alias, current["AliasArn"], version, dict(current_weights), "unchanged")
    updated = lam.update_alias(FunctionName=name, Name=alias, FunctionVersion=version, RoutingConfig=routing)
    return Alias(alias, updated["AliasArn"], version, dict(weights or {}), "updated")


def ensure_provisioned_concurrency(lam: Any, name: str, qualifier: str, count: int) -> str:
    """Ask for ``count`` environments kept initialised for the alias or version; return the status now."""
    try:
        current = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        if current["RequestedProvisionedConcurrentExecutions"] == count:
            return str(current["Status"])
    except lam.exceptions.ProvisionedConcurrencyConfigNotFoundException:
        pass
    answer = lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=qualifier, ProvisionedConcurrentExecutions=count
    )
    return str(answer["Status"])


def wait_provisioned(
    lam: Any,
    name: str,
    qualifier: str,
    *,
    delay: float,
    max_attempts: int = 60,
    progress: Progress | None = None,
    sleep: Callable[[float], None] | None = None,
) -> str:
    """Wait until the provisioned concurrency of ``name:qualifier`` is ``READY`` (``FAILED`` raises at once)."""

    def read() -> str:
        return str(lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)["Status"])

    extra = {"sleep": sleep} if sleep is not None else {}
    return wait_for_status(
        read,
        done="READY",
        failed=("FAILED",),
        delay=delay,
        max_attempts=max_attempts,
        progress=progress,
        what=f"provisioned concurrency of {name}:{qualifier}",
        advice="read its StatusReason with get_provisioned_concurrency_config",
        **extra,
    )


def remove_provisioned_concurrency(lam: Any, name: str, qualifier: str) -> bool:
    """Delete the alias's or version's provisioned concurrency (billed while it exists); False if it had none."""
    try:
        lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
    except lam.exceptions.ProvisionedConcurrencyConfigNotFoundException:
        return False
    return True


def versions_table(lam: Any, name: str, lang: str | None = None) -> pd.DataFrame:
    """One row per version (``$LATEST`` first): the ``RELEASE`` it holds, its description and code hash."""
    rows = []
    for version in _versions(lam, name):
        variables = (version.get("Environment") or {}).get("Variables", {})
        rows.append(
            {
                t("versions.version", lang): version["Version"],
                "RELEASE": variables.get("RELEASE", ""),
                t("versions.description", lang): version.get("Description", ""),
                "CodeSha256": version["CodeSha256"][:12] + "…",
            }
        )
    rows.sort(key=lambda row: (row[t("versions.version", lang)] != "$LATEST", row[t("versions.version", lang)]))
    return pd.DataFrame(rows).set_index(t("versions.version", lang))


_STREAM_VERSION = re.compile(r"/\[(?P<version>[^\]]+)\]")


def version_of_stream(log_stream_name: str) -> str:
    """The version in a Lambda log stream's name (``2026/12/02/[2]0123...`` -> ``2``)."""
    found = _STREAM_VERSION.search(log_stream_name)
    if found is None:
        raise ValueError(f"{log_stream_name!r} is not a Lambda log stream name (YYYY/MM/DD/[version]id)")
    return found["version"]


def report_rows(logs: Any, name: str, *, start_ms: int | None = None) -> list[dict[str, Any]]:
    """The REPORT lines of ``/aws/lambda/<name>`` (since ``start_ms``), each parsed, with the version its log
    stream names."""
    return [
        {"version": version_of_stream(event["logStreamName"]), **parse_report(event["message"].rstrip("\n"))}
        for event in report_events(logs, name, start_ms=start_ms)
    ]
