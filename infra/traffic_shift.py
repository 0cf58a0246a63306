"""Blue/green by weight on a Lambda alias: set a share, send requests, count which version answered.

``route`` makes the ``UpdateAlias`` call a share means (configuring-alias-routing: the alias keeps pointing at the
old version and ``RoutingConfig.AdditionalVersionWeights`` sends the share to the new one; 0 and 1 point the alias
at one version with no weights, which is also how a rollback reads). ``shift`` runs one step per share and
returns what each step saw, with the band a correct router stays inside (binomial, ``sigmas`` wide), so a
notebook can plot share per step against the expected share. Works the same against AWS: it only calls boto3
and the ``ask`` it is given.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .i18n import t


def route(lam: Any, function_name: str, alias: str, *, old: str, new: str, share: float) -> dict[str, Any]:
    """Send ``share`` (0..1) of the alias's invocations to version ``new``, the rest to ``old``; return the alias."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share {share}: give a fraction from 0.0 (all on {old}) to 1.0 (all on {new})")
    if share in (0.0, 1.0):
        version = old if share == 0.0 else new
        return dict(lam.update_alias(FunctionName=function_name, Name=alias, FunctionVersion=version, RoutingConfig={}))
    weights = {"AdditionalVersionWeights": {new: share}}
    return dict(lam.update_alias(FunctionName=function_name, Name=alias, FunctionVersion=old, RoutingConfig=weights))


def band(n: int, share: float, sigmas: float = 4.0) -> tuple[float, float]:
    """The range of counts (out of ``n``) a router with that ``share`` stays inside but rarely (binomial)."""
    sd = math.sqrt(n * share * (1.0 - share))
    return max(0.0, n * share - sigmas * sd), min(float(n), n * share + sigmas * sd)


@dataclass(frozen=True)
class Step:
    share: float  # what the alias was told
    requests: int
    answered: dict[str, int]  # version -> how many answers it gave
    new: str

    @property
    def observed(self) -> float:
        return self.answered.get(self.new, 0) / self.requests if self.requests else 0.0

    @property
    def expected_range(self) -> tuple[float, float]:
        low, high = band(self.requests, self.share)
        return low / self.requests, high / self.requests

    @property
    def within(self) -> bool:
        low, high = self.expected_range
        return low <= self.observed <= high


def shift(
    lam: Any,
    function_name: str,
    alias: str,
    *,
    old: str,
    new: str,
    shares: Sequence[float],
    ask: Callable[[], str],
    requests: int = 200,
) -> list[Step]:
    """For each share: ``route`` it, then call ``ask`` (which returns the version that answered) ``requests`` times."""
    steps = []
    for share in shares:
        route(lam, function_name, alias, old=old, new=new, share=share)
        answered = Counter(ask() for _ in range(requests))
        steps.append(Step(share, requests, dict(answered), new))
    return steps


def steps_table(steps: Sequence[Step], lang: str | None = None) -> pd.DataFrame:
    """One row per step: the share asked for, the band a correct router stays inside, and whether it did.

    The observed counts are left to the plot: they differ from run to run, by design of the router.
    """
    rows = []
    for step in steps:
        low, high = step.expected_range
        rows.append(
            {
                t("shift.asked", lang): f"{step.share:.0%}",
                t("shift.requests", lang): step.requests,
                t("shift.band", lang): f"{low:.1%} – {high:.1%}",
                t("shift.within", lang): t("yes" if step.within else "no", lang),
            }
        )
    return pd.DataFrame(rows).set_index(t("shift.asked", lang))
