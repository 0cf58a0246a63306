"""The environment check the first notebook runs: versions, the local cloud, and credentials."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

import pandas as pd

from .i18n import t

PACKAGES = ("jupyterlab", "ipywidgets", "boto3", "moto", "pandas", "httpx", "awslambdaric", "nbval")


def versions(lang: str | None = None) -> list[dict[str, str]]:
    """Python (major.minor) and the kit's core packages, with the installed version of each (columns named
    in ``lang``, default the kit's language)."""
    component, version = t("checks.component", lang), t("checks.version", lang)
    rows = [{component: "Python", version: ".".join(platform.python_version_tuple()[:2])}]
    for package in PACKAGES:
        try:
            rows.append({component: package, version: metadata.version(package)})
        except metadata.PackageNotFoundError:
            rows.append({component: package, version: t("checks.missing", lang)})
    return rows


def versions_table(lang: str | None = None) -> pd.DataFrame:
    """:func:`versions` as a table indexed by component."""
    return pd.DataFrame(versions(lang)).set_index(t("checks.component", lang))


def identity(kit: Any) -> dict[str, str]:
    """Who the kit's AWS calls run as: the account and the caller's ARN (STS GetCallerIdentity)."""
    caller = kit.client("sts").get_caller_identity()
    return {"account": caller["Account"], "arn": caller["Arn"]}
