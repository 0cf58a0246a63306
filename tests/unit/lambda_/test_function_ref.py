"""infra/local/lambda_/function_ref.py: names, ARNs and qualifiers checked as Lambda's Invoke checks them."""

from __future__ import annotations

import json
import re

import botocore.loaders
import pytest

from infra.local.lambda_.function_ref import _BODY_MEMBERS, NAME, FunctionRefError, lambda_error, parse_function_ref

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
MODEL = botocore.loaders.Loader().load_service_model("lambda", "service-2")["shapes"]

NAMES = [
    "my-function",
    "my-function:1",
    "my-function:$LATEST",
    "my-function:live",
    "my.function",
    f"{ACCOUNT}:function:my-function",
    f"{ACCOUNT}:function:my-function:live",
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function",
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function:$LATEST",
    "function:my-function",
    "invalid-account:function:my-function",
    "function:my-function:$LATEST:extra",
    "my function",
    "my-function:",
    ":my-function",
    "arn:aws:s3:::bucket",
    "ünicode",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_named_pattern_accepts_what_the_model_pattern_accepts(name: str) -> None:
    model = MODEL["NamespacedFunctionName"]["pattern"]
    assert (re.fullmatch(model, name) is not None) == (NAME.fullmatch(name) is not None)


def test_error_bodies_have_the_members_of_the_model_shapes() -> None:
    for code, members in _BODY_MEMBERS.items():
        modelled = set(MODEL.get(code, {}).get("members", {})) or {"message"}
        assert set(members) == modelled
        body = json.loads(lambda_error(400, code, "why").body)
        assert set(body) == set(members)
        assert all(body[m] == ("User" if m == "Type" else "why") for m in members)


def _refused(name: str, qualifier: str | None = None) -> FunctionRefError:
    with pytest.raises(FunctionRefError) as info:
        parse_function_ref(name, qualifier, account_id=ACCOUNT, region=REGION)
    return info.value


@pytest.mark.parametrize("name", ["invalid-account:function:my-function", "function:my-function:$LATEST:extra"])
def test_malformed_names_are_validation_errors(name: str) -> None:
    error = _refused(name)
    assert (error.status, error.code) == (400, "ValidationException")
    pattern = MODEL["NamespacedFunctionName"]["pattern"]
    assert error.message == (
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}"
    )


def test_a_bad_name_and_a_bad_qualifier_are_two_errors() -> None:
    error = _refused("my function", "no way")
    assert error.message.startswith("2 validation errors detected: Value 'my function' at 'functionName'")
    assert "; Value 'no way' at 'qualifier' failed to satisfy constraint" in error.message


def test_a_qualifier_that_contradicts_the_name() -> None:
    error = _refused("my-function:$LATEST", "1")
    assert (error.status, error.code) == (400, "InvalidParameterValueException")
    assert error.message == "The derived qualifier from the function name does not match the specified qualifier."


def test_another_regions_arn_is_not_reachable() -> None:
    error = _refused(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-function")
    assert (error.status, error.code) == (404, "ResourceNotFoundException")
    assert error.message == "Functions from 'us-east-1' are not reachable in this region ('ap-northeast-2')"


@pytest.mark.parametrize(
    ("name", "qualifier", "expected"),
    [
        ("my-function", None, ("my-function", None)),
        ("my-function", "live", ("my-function", "live")),
        ("my-function:live", "live", ("my-function", "live")),
        (f"{ACCOUNT}:function:my-function", None, ("my-function", None)),
        (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function:$LATEST", None, ("my-function", "$LATEST")),
    ],
)
def test_good_references(name: str, qualifier: str | None, expected: tuple[str, str | None]) -> None:
    ref = parse_function_ref(name, qualifier, account_id=ACCOUNT, region=REGION)
    assert (ref.name, ref.qualifier) == expected
