"""infra/traffic_shift.py: the UpdateAlias call a share means, and the band a correct router stays inside."""

from __future__ import annotations

from typing import Any

import pytest

from infra import traffic_shift


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def update_alias(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"Name": kwargs["Name"], "FunctionVersion": kwargs["FunctionVersion"]}


@pytest.mark.parametrize(
    ("share", "version", "routing"),
    [
        (0.0, "1", {}),
        (0.05, "1", {"AdditionalVersionWeights": {"2": 0.05}}),
        (0.5, "1", {"AdditionalVersionWeights": {"2": 0.5}}),
        (1.0, "2", {}),
    ],
)
def test_route_makes_the_call_a_share_means(share: float, version: str, routing: dict[str, Any]) -> None:
    lam = Recorder()
    traffic_shift.route(lam, "fn", "live", old="1", new="2", share=share)
    assert lam.calls == [{"FunctionName": "fn", "Name": "live", "FunctionVersion": version, "RoutingConfig": routing}]


def test_a_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"from 0\.0"):
        traffic_shift.route(Recorder(), "fn", "live", old="1", new="2", share=1.5)


def test_steps_report_the_observed_share_and_its_band() -> None:
    answers = iter(["2"] * 10 + ["1"] * 190)
    steps = traffic_shift.shift(
        Recorder(), "fn", "live", old="1", new="2", shares=[0.05], ask=lambda: next(answers), requests=200
    )
    (step,) = steps
    assert step.answered == {"2": 10, "1": 190} and step.observed == 0.05 and step.within
    low, high = traffic_shift.band(200, 0.05)
    assert low == 0.0 and 22 < high < 23  # 10 + 4 x 3.08
    assert not traffic_shift.Step(0.5, 200, {"1": 200}, "2").within


def test_steps_table_shows_what_does_not_change_from_run_to_run() -> None:
    steps = [
        traffic_shift.Step(0.05, 200, {"1": 190, "2": 10}, "2"),
        traffic_shift.Step(0.5, 200, {"1": 10, "2": 190}, "2"),
    ]
    table = traffic_shift.steps_table(steps, lang="en")
    assert list(table.index) == ["5%", "50%"]
    assert list(table["observed share inside it"]) == ["yes", "no"]
    assert table["expected band"].iloc[0] == "0.0% – 11.2%"
    assert list(traffic_shift.steps_table(steps, lang="ko")["관측 비율이 범위 안"]) == ["예", "아니요"]
