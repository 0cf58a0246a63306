"""infra/local/lambda_/aliases.py: versions frozen, aliases checked as AWS checks them, weights drawn per invocation."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local.lambda_ import aliases
from infra.local.lambda_.moto_lambda import control_plane_changed, resolve_function
from tests.unit.lambda_.test_moto_gaps import ACCOUNT, REGION
from tests.unit.lambda_.test_moto_gaps import lam as lam


def _zip(answer: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", f"def handler(event, context):\n    return {answer!r}\n")
    return buffer.getvalue()


@pytest.fixture
def versions(lam: Any) -> Iterator[Any]:
    """``hello`` with versions 1 and 2 published (different code each)."""
    aliases.apply()
    lam.update_function_code(FunctionName="hello", ZipFile=_zip("one"))
    assert lam.publish_version(FunctionName="hello")["Version"] == "1"
    lam.update_function_code(FunctionName="hello", ZipFile=_zip("two"))
    assert lam.publish_version(FunctionName="hello")["Version"] == "2"
    control_plane_changed()
    yield lam


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_a_published_version_keeps_its_code_and_configuration(versions: Any) -> None:
    lam = versions
    lam.update_function_configuration(FunctionName="hello", Timeout=30, Environment={"Variables": {"A": "b"}})
    lam.update_function_code(FunctionName="hello", ZipFile=_zip("three"))
    control_plane_changed()
    one = resolve_function(ACCOUNT, REGION, "hello", "1").spec
    latest = resolve_function(ACCOUNT, REGION, "hello", None).spec
    assert one.version == "1" and one.timeout == 3 and one.environment == ()
    assert b"'one'" in _handler_source(one.code)
    assert latest.version == "$LATEST" and latest.timeout == 30 and b"'three'" in _handler_source(latest.code)
    code_one = lam.get_function(FunctionName="hello", Qualifier="1")["Code"]["Location"]
    assert code_one != lam.get_function(FunctionName="hello")["Code"]["Location"]


def _handler_source(code: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(code)) as archive:
        return archive.read("handler.py")


def test_an_alias_cannot_point_at_another_alias(versions: Any) -> None:
    lam = versions
    lam.create_alias(FunctionName="hello", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="hello", Name="other", FunctionVersion="live")
    code, message = error(exc)
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value 'live' at 'functionVersion' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {aliases.ALIAS_VERSION_PATTERN}"
    )
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="hello", Name="live", FunctionVersion="live")
    assert error(exc)[0] == "ValidationException"


def test_latest_cannot_carry_weights(versions: Any) -> None:
    with pytest.raises(ClientError) as exc:
        versions.create_alias(
            FunctionName="hello",
            Name="live",
            FunctionVersion="$LATEST",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error(exc) == (
        "InvalidParameterValueException",
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )


@pytest.mark.parametrize(
    ("weights", "code", "start"),
    [
        ({"2": 0.1, "1": 0.1}, "InvalidParameterValueException", "Number of items in AdditionalVersionWeights"),
        ({"1": 0.1}, "InvalidParameterValueException", "Invalid function version 1. Function version 1 is already"),
        ({"live": 0.1}, "ValidationException", "1 validation error detected: Value '{live=0.1}' at 'routingConfig"),
        ({"7": 0.1}, "ResourceNotFoundException", "Function not found"),
    ],
)
def test_routing_configs_aws_refuses(versions: Any, weights: dict[str, float], code: str, start: str) -> None:
    with pytest.raises(ClientError) as exc:
        versions.create_alias(
            FunctionName="hello", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": weights}
        )
    assert error(exc)[0] == code and error(exc)[1].startswith(start)
    with pytest.raises(versions.exceptions.ResourceNotFoundException):
        versions.get_alias(FunctionName="hello", Name="live")  # nothing was created


def test_a_weight_past_one_is_refused() -> None:
    with pytest.raises(aliases.ValidationException, match="Map value must satisfy constraint"):
        aliases.check_routing("1", {"AdditionalVersionWeights": {"2": 1.5}})


def test_update_alias_checks_weights_against_its_current_version(versions: Any) -> None:
    lam = versions
    lam.create_alias(FunctionName="hello", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="hello", Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 0.2}})
    assert error(exc)[0] == "InvalidParameterValueException"
    shifted = lam.update_alias(
        FunctionName="hello", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}}
    )
    assert shifted["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.2}}
    done = lam.update_alias(FunctionName="hello", Name="live", FunctionVersion="2", RoutingConfig={})
    assert done["FunctionVersion"] == "2" and not done.get("RoutingConfig")


@pytest.mark.parametrize("qualifier", ["1", "2"])
def test_a_url_on_a_version_is_a_validation_exception(versions: Any, qualifier: str) -> None:
    with pytest.raises(ClientError) as exc:
        versions.create_function_url_config(FunctionName="hello", Qualifier=qualifier, AuthType="NONE")
    assert error(exc) == (
        "ValidationException",
        f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {aliases.URL_QUALIFIER_PATTERN}",
    )
    with pytest.raises(ClientError) as exc:
        versions.create_function_url_config(FunctionName=f"hello:{qualifier}", AuthType="NONE")
    assert error(exc)[0] == "ValidationException"


def test_a_url_on_an_alias_is_still_fine(versions: Any) -> None:
    versions.create_alias(FunctionName="hello", Name="live", FunctionVersion="1")
    url = versions.create_function_url_config(FunctionName="hello", Qualifier="live", AuthType="NONE")
    assert url["FunctionArn"].endswith(":hello:live")


def test_a_weighted_alias_resolves_to_both_versions(versions: Any) -> None:
    versions.create_alias(
        FunctionName="hello", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.05}}
    )
    control_plane_changed()
    resolved = resolve_function(ACCOUNT, REGION, "hello", "live")
    assert resolved.spec.version == "1"
    assert [(weight, spec.version) for weight, spec in resolved.routing] == [(0.05, "2")]
    assert resolved.invoked_arn.endswith(":hello:live")
    assert resolve_function(ACCOUNT, REGION, "hello", "1").routing == ()
    assert resolve_function(ACCOUNT, REGION, "hello", None).routing == ()


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_choose_sends_exactly_the_share_of_an_even_sweep(versions: Any, share: float) -> None:
    """Draws spread evenly over [0, 1): exactly ``share`` of them run version 2 (no chance involved)."""
    versions.create_alias(
        FunctionName="hello", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": share}}
    )
    control_plane_changed()
    resolved = resolve_function(ACCOUNT, REGION, "hello", "live")
    n = 10_000
    sweep = iter([i / n for i in range(n)])
    ran = [aliases.choose(resolved.spec, resolved.routing, lambda: next(sweep)).version for _ in range(n)]
    assert ran.count("2") == round(share * n)
    assert ran.count("1") == n - round(share * n)


def test_choose_with_a_seeded_generator_is_repeatable_and_close_to_the_weight(versions: Any) -> None:
    versions.create_alias(
        FunctionName="hello", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.05}}
    )
    control_plane_changed()
    resolved = resolve_function(ACCOUNT, REGION, "hello", "live")

    def run(seed: int) -> list[str]:
        draw = random.Random(seed).random
        return [aliases.choose(resolved.spec, resolved.routing, draw).version for _ in range(20_000)]

    first = run(15)
    assert first == run(15)  # the same seed, the same versions, in the same order
    assert 900 <= first.count("2") <= 1_100  # 5% of 20,000 = 1,000; seeded, so this never varies


def test_choose_does_not_draw_without_weights(versions: Any) -> None:
    resolved = resolve_function(ACCOUNT, REGION, "hello", "1")

    def no_draw() -> float:
        raise AssertionError("drew for a version without weights")

    assert aliases.choose(resolved.spec, resolved.routing, no_draw).version == "1"
