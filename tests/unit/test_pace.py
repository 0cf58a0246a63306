"""AWS's pace, on request (``infra/local/pace.py``): the variables read, and moto's models slowed as they say."""

from __future__ import annotations

import datetime

import pytest

from infra.local import pace


def test_pace_is_zero_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_PACE_ACM_S", raising=False)
    assert pace.seconds("ACM") == 0
    monkeypatch.setenv("KIT_PACE_ACM_S", "2.5")
    assert pace.seconds("ACM") == 2.5
    monkeypatch.setenv("KIT_PACE_ACM_S", "soon")
    assert pace.seconds("ACM") == 0


def test_a_role_lambda_may_not_assume_yet_is_refused_with_aws_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.iam.models import iam_backends

    from infra.local.lambda_.moto_gaps import _check_role_assumable

    iam = iam_backends["123456789012"]["global"]
    role = iam.create_role(
        role_name=f"pace-{datetime.datetime.now().timestamp():.0f}",
        assume_role_policy_document="{}",
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration=None,
    )
    monkeypatch.setenv("KIT_PACE_IAM_S", "60")
    with pytest.raises(InvalidParameterValueException, match="cannot be assumed by Lambda"):
        _check_role_assumable("123456789012", role.arn)
    monkeypatch.setenv("KIT_PACE_IAM_S", "0")
    _check_role_assumable("123456789012", role.arn)  # no pace: at once
