"""A function's name or ARN and a qualifier, checked as Lambda's ``Invoke`` checks them before any look-up.

Emulates (recorded on AWS: LocalStack's AWS-validated ``test_lambda_api.py`` snapshots of name and qualifier
validation, whose rules its ``api_utils.get_name_and_qualifier`` follows; the patterns are botocore's Lambda
model, ``NamespacedFunctionName`` and ``NumericLatestPublishedOrAliasQualifier``, which AWS's messages quote):

- an ARN of another region: 404 ``ResourceNotFoundException`` "Functions from '<arn region>' are not reachable
  in this region ('<request region>')", before anything else is checked;
- a name that does not match the model's pattern (``invalid-account:function:my-function``,
  ``function:my-function:$LATEST:extra``, a space) or is too long, a qualifier that does not match its pattern:
  400 ``ValidationException`` "1 validation error detected: Value '<v>' at 'functionName' failed to satisfy
  constraint: Member must satisfy regular expression pattern: <pattern>" (errors of both members joined with
  "; " under "2 validation errors detected: ");
- a qualified name or ARN (``my-function:$LATEST``) with a different ``Qualifier`` (``1``): 400
  ``InvalidParameterValueException`` "The derived qualifier from the function name does not match the
  specified qualifier.".

Error bodies carry the members botocore's model gives each error shape (``ResourceNotFoundException``:
``Type``, ``Message``; ``InvalidParameterValueException``: ``Type``, ``message``; ``ValidationException`` is
not modelled: ``message``), so ``ClientError.response`` reads as AWS's.

Choice (no source states it for Invoke): an ARN of another account is a function that is not found here
(``ResourceNotFoundException`` "Function not found: <arn>"); cross-account invocation is not emulated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

import botocore.loaders

from ..http.types import HttpResponse, json_error

#: Named groups over the same language as botocore's ``NamespacedFunctionName`` pattern (a unit test checks
#: that the two agree); ``_model_patterns()`` gives the pattern AWS's message quotes.
NAME = re.compile(
    r"(?P<arn>arn:(aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?P<function>function:)?"
    r"(?P<name>[a-zA-Z0-9-_\.]+)"
    r"(?::(?P<qualifier>\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
QUALIFIER_MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."
#: Which members each error's body has, from botocore's Lambda model (checked by a unit test).
_BODY_MEMBERS = {
    "ResourceNotFoundException": ("Type", "Message"),
    "InvalidParameterValueException": ("Type", "message"),
    "ResourceConflictException": ("Type", "message"),
    "ValidationException": ("message",),
}


@dataclass(frozen=True)
class FunctionRef:
    """What a name or ARN and ``Qualifier`` name: a function by its plain name, and a version or alias."""

    name: str
    qualifier: str | None
    account_id: str | None  # given in the ARN
    region: str | None  # given in the ARN


class FunctionRefError(Exception):
    """A name or qualifier Lambda refuses before it looks anything up."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> HttpResponse:
        return lambda_error(self.status, self.code, self.message)


def error_body(code: str, message: str) -> str:
    """The JSON body of a Lambda API error: the members the model gives the error's shape."""
    members = _BODY_MEMBERS.get(code, ("Type", "message"))
    return json.dumps({member: "User" if member == "Type" else message for member in members})


def lambda_error(status: int, code: str, message: str) -> HttpResponse:
    """A Lambda API error: ``x-amzn-ErrorType`` and the body members the model gives the error's shape."""
    return json_error(status, error_body(code, message).encode(), code)


@cache
def _model_patterns() -> dict[str, tuple[str, int]]:
    """``{shape: (pattern, max length)}`` for the two members Invoke validates, from botocore's model."""
    model = botocore.loaders.Loader().load_service_model("lambda", "service-2")
    shapes = model["shapes"]
    found = {}
    for shape in ("NamespacedFunctionName", "NumericLatestPublishedOrAliasQualifier"):
        found[shape] = (shapes[shape]["pattern"], int(shapes[shape]["max"]))
    return found


def _problems(value: str, member: str, shape: str, *, matches: bool) -> list[str]:
    pattern, longest = _model_patterns()[shape]
    found = []
    if len(value) > longest:
        found.append(
            f"Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {longest}"
        )
    if not matches:
        found.append(
            f"Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern}"
        )
    return found


def parse_function_ref(name_or_arn: str, qualifier: str | None, *, account_id: str, region: str) -> FunctionRef:
    """``name_or_arn`` and ``qualifier`` as Lambda reads them for a call in ``account_id``/``region``.

    Raises ``FunctionRefError`` with AWS's status, code and message when Lambda refuses them.
    """
    prefix = NAME.match(name_or_arn)
    arn_region = prefix.group("region") if prefix else None
    if arn_region and arn_region != region:
        message = f"Functions from '{arn_region}' are not reachable in this region ('{region}')"
        raise FunctionRefError(404, "ResourceNotFoundException", message)
    whole = NAME.fullmatch(name_or_arn)
    problems = _problems(name_or_arn, "functionName", "NamespacedFunctionName", matches=whole is not None)
    if qualifier is not None:
        qualifier_pattern = _model_patterns()["NumericLatestPublishedOrAliasQualifier"][0]
        fits = re.fullmatch(qualifier_pattern, qualifier) is not None
        problems += _problems(qualifier, "qualifier", "NumericLatestPublishedOrAliasQualifier", matches=fits)
    if problems:
        count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected: "
        raise FunctionRefError(400, "ValidationException", count + "; ".join(problems))
    assert whole is not None
    arn_qualifier = whole.group("qualifier")
    if qualifier and arn_qualifier and qualifier != arn_qualifier:
        raise FunctionRefError(400, "InvalidParameterValueException", QUALIFIER_MISMATCH)
    arn_account = whole.group("account")
    if arn_account and arn_account != account_id:
        arn = f"arn:aws:lambda:{region}:{arn_account}:function:{whole.group('name')}"
        raise FunctionRefError(404, "ResourceNotFoundException", f"Function not found: {arn}")
    return FunctionRef(whole.group("name"), qualifier or arn_qualifier, arn_account, arn_region)
