"""Lambda's Function URL configuration API (Create/Get/Update/Delete/ListFunctionUrlConfigs) on moto's state.

moto holds each config, on its function object or, for an alias's URL, on moto's own alias object; this module
replaces moto's handlers for them (moto ignored ``Qualifier``, dropped the URL's ``/``, said ``Buffered`` and did
not serve ``ListFunctionUrlConfigs`` at all).

Emulates (API_CreateFunctionUrlConfig.html, API_Cors.html, API_ListFunctionUrlConfigs.html; the rules below are
recorded on AWS in LocalStack's AWS-validated Function URL tests, which its Lambda provider's
``create/get/update/delete/list_function_url_configs`` follow, and in issue 12's replay of them):

- the URL ends with ``/``; ``InvokeMode`` is ``BUFFERED`` when none was given; ``AuthType``, ``InvokeMode`` and
  ``Cors.AllowMethods`` are validated as the API reference says; a second config for the same function or alias
  is a 409 ``ResourceConflictException``; Update changes what it is given and can clear ``Cors``;
- ``Qualifier`` names an alias only: a version or ``$LATEST`` (given as ``Qualifier`` or in a qualified ARN) is
  a 400 ``ValidationException`` "... at 'qualifier' failed to satisfy constraint: Member must satisfy regular
  expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)" (the model's ``FunctionUrlQualifier``); a ``Qualifier`` that
  contradicts the ARN's is ``InvalidParameterValueException``; an ARN of another region is not reachable
  (``function_ref.py``);
- not found (404 ``ResourceNotFoundException``): an unknown function is "Function does not exist" for Create,
  Update and List and "The resource you requested does not exist." for Get and Delete; an unknown alias is
  "Function does not exist" for Create and Update, the other message for Get and Delete; no config is "The
  resource you requested does not exist.";
- List gives the function's configs (its own and its aliases'), ordered by ``FunctionArn``, ``[]`` when none,
  at most ``MaxItems`` (at most 50, "even if you set the number higher") per page with ``NextMarker``/``Marker``;
- error bodies carry ``Type: "User"`` and ``Message`` or ``message`` as the model's error shapes do;
- ``DeleteAlias`` takes the alias's URL with it, and that URL then answers 403 ``AccessDeniedException`` with the
  "Forbidden. For troubleshooting Function URL authorization issues..." body, not the unknown URL's
  ``{"Message":null}`` (recorded on AWS, issue 12): ``deleted_alias_url`` tells the front end.

- Create and Update answer without ``InvokeMode`` when the request gave none (recorded on AWS, issue 12); Get and
  List show it (``BUFFERED`` by default).

Choice (no source states it): ``NextMarker`` is the ``FunctionArn`` of the next page's first config; a
``Marker`` that names none starts after the configs ordered before it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from moto.awslambda import models as lambda_models
from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow

from .function_ref import NAME, QUALIFIER_MISMATCH, error_body

_AUTH_TYPES = ("NONE", "AWS_IAM")
_INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
_CORS_METHODS = ("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*")
_ALIAS_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"  # botocore: FunctionUrlQualifier
NO_FUNCTION = "Function does not exist"
NO_RESOURCE = "The resource you requested does not exist."
MAX_ITEMS = 50


class LambdaError(JsonRESTError):
    """A Lambda API error whose body has the members of the model's error shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = status
        self.description = error_body(code, message)


def _validation(message: str) -> LambdaError:
    return LambdaError(400, "ValidationException", f"1 validation error detected: {message}")


def _enum_error(value: Any, field: str, allowed: tuple[str, ...]) -> LambdaError:
    return _validation(
        f"Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: "
        f"[{', '.join(allowed)}]"
    )


def validate_url_config(config: dict[str, Any], *, creating: bool) -> None:
    """Reject a Function URL config as the Lambda API does."""
    auth = config.get("AuthType")
    if creating and auth is None:
        raise _validation("Value null at 'authType' failed to satisfy constraint: Member must not be null")
    if auth is not None and auth not in _AUTH_TYPES:
        raise _enum_error(auth, "authType", _AUTH_TYPES)
    mode = config.get("InvokeMode")
    if mode is not None and mode not in _INVOKE_MODES:
        raise _enum_error(mode, "invokeMode", _INVOKE_MODES)
    methods = (config.get("Cors") or {}).get("AllowMethods") or []
    if len(methods) > 6:
        raise _validation(
            "Value at 'cors.allowMethods' failed to satisfy constraint: Member must have length less than or equal to 6"
        )
    for method in methods:
        if method not in _CORS_METHODS:
            raise _validation(
                f"Value '[{', '.join(methods)}]' at 'cors.allowMethods' failed to satisfy constraint: Member must "
                "satisfy constraint: [Member must have length less than or equal to 6, Member must satisfy regular "
                "expression pattern: .*]"
            )


class FunctionUrlConfig(lambda_models.FunctionUrlConfig):
    """moto's config with AWS's URL shape, InvokeMode default and an optional alias qualifier."""

    def __init__(self, function: Any, config: dict[str, Any], qualifier: str | None = None):
        super().__init__(function, config)
        self.qualifier = qualifier
        self.url = self.url.rstrip("/") + "/"
        self.url_id = self.url.split("//", 1)[1].split(".", 1)[0]

    @property
    def function_arn(self) -> str:
        arn = self.function.function_arn
        return f"{arn}:{self.qualifier}" if self.qualifier else arn

    @property
    def auth_type(self) -> str:
        return str(self.config.get("AuthType"))

    @property
    def invoke_mode(self) -> str:
        return str(self.config.get("InvokeMode") or "BUFFERED")

    @property
    def cors(self) -> dict[str, Any] | None:
        return self.config.get("Cors") or None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["FunctionArn"] = self.function_arn
        data["InvokeMode"] = self.invoke_mode
        if not data.get("Cors"):
            data.pop("Cors", None)
        return data

    def update(self, new_config: dict[str, Any]) -> None:
        for key in ("AuthType", "InvokeMode"):
            if new_config.get(key):
                self.config[key] = new_config[key]
        if "Cors" in new_config:
            self.config["Cors"] = new_config["Cors"] or None
        self.last_modified = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000+0000")


#: Bumped whenever a Function URL config is created or deleted (or its function or alias is): lets a cache of
#: moto's URLs (``moto_lambda.UrlRegistry``) know when to rebuild, with moto still the only holder of the state.
_url_revision = [0]


def url_revision() -> int:
    """A counter that changes whenever the set of Function URLs in moto may have changed."""
    return _url_revision[0]


def urls_changed() -> None:
    _url_revision[0] += 1


#: url-ids of the URLs of aliases that were deleted (bounded): AWS answers them 403 Forbidden, not as unknown.
_retired: dict[str, None] = {}


def deleted_alias_url(url_id: str) -> bool:
    """Whether ``url_id`` was the URL of an alias that has since been deleted."""
    return url_id in _retired


_original_delete_alias = lambda_models.LambdaBackend.delete_alias


def _delete_alias(self: Any, name: str, function_name: str) -> None:
    """moto's DeleteAlias; the alias's URL stops working and its url-id is remembered as retired."""
    alias = self._lambdas._get_function_aliases(function_name).get(name)
    config = getattr(alias, "url_config", None)
    _original_delete_alias(self, name, function_name)
    if config is not None:
        _retired[config.url_id] = None
        while len(_retired) > 4096:
            del _retired[next(iter(_retired))]
        urls_changed()


def _reference(backend: Any, name_or_arn: str, qualifier: str | None) -> tuple[str, str | None]:
    """The plain function name and alias a URL operation names, refused as Lambda refuses them."""
    prefix = NAME.match(name_or_arn)
    arn_region = prefix.group("region") if prefix else None
    if arn_region and arn_region != backend.region_name:
        message = f"Functions from '{arn_region}' are not reachable in this region ('{backend.region_name}')"
        raise LambdaError(404, "ResourceNotFoundException", message)
    whole = NAME.fullmatch(name_or_arn)
    if whole is None:
        raise LambdaError(404, "ResourceNotFoundException", NO_FUNCTION)
    arn_qualifier = whole.group("qualifier")
    if qualifier and arn_qualifier and qualifier != arn_qualifier:
        raise LambdaError(400, "InvalidParameterValueException", QUALIFIER_MISMATCH)
    qualifier = qualifier or arn_qualifier
    if qualifier is not None and re.fullmatch(_ALIAS_PATTERN, qualifier) is None:
        raise _validation(
            f"Value '{qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular "
            f"expression pattern: {_ALIAS_PATTERN}"
        )
    return whole.group("name"), qualifier


def _url_holder(backend: Any, name_or_arn: str, qualifier: str | None, missing: str) -> tuple[Any, Any]:
    """The function and the object that holds its URL config (the function or one of its aliases).

    ``missing`` is the message for a function or alias that does not exist, which depends on the operation.
    """
    name, qualifier = _reference(backend, name_or_arn, qualifier)
    entry = backend._lambdas._functions.get(name)
    function = entry.get("latest") if entry else None
    if function is None:
        raise LambdaError(404, "ResourceNotFoundException", missing)
    if not qualifier:
        return function, function
    alias = backend._lambdas._get_function_aliases(name).get(qualifier)
    if alias is None:
        raise LambdaError(404, "ResourceNotFoundException", missing)
    return function, alias


def create_function_url_config(
    self: Any, name_or_arn: str, config: dict[str, Any], qualifier: str | None = None
) -> FunctionUrlConfig:
    validate_url_config(config, creating=True)
    function, holder = _url_holder(self, name_or_arn, qualifier, NO_FUNCTION)
    qualifier = None if holder is function else holder.name  # also when the qualifier came in a qualified ARN
    if getattr(holder, "url_config", None) is not None:
        arn = f"{function.function_arn}:{qualifier}" if qualifier else function.function_arn
        raise LambdaError(
            409,
            "ResourceConflictException",
            f"Failed to create function url config for [functionArn = {arn}]. "
            "Error message:  FunctionUrlConfig exists for this Lambda function",
        )
    holder.url_config = FunctionUrlConfig(function, dict(config), qualifier)
    urls_changed()
    return holder.url_config


def get_function_url_config(self: Any, name_or_arn: str, qualifier: str | None = None) -> FunctionUrlConfig:
    _, holder = _url_holder(self, name_or_arn, qualifier, NO_RESOURCE)
    if getattr(holder, "url_config", None) is None:
        raise LambdaError(404, "ResourceNotFoundException", NO_RESOURCE)
    return holder.url_config


def update_function_url_config(
    self: Any, name_or_arn: str, config: dict[str, Any], qualifier: str | None = None
) -> FunctionUrlConfig:
    validate_url_config(config, creating=False)
    _, holder = _url_holder(self, name_or_arn, qualifier, NO_FUNCTION)
    if getattr(holder, "url_config", None) is None:
        raise LambdaError(404, "ResourceNotFoundException", NO_RESOURCE)
    holder.url_config.update(config)
    return holder.url_config


def delete_function_url_config(self: Any, name_or_arn: str, qualifier: str | None = None) -> None:
    _, holder = _url_holder(self, name_or_arn, qualifier, NO_RESOURCE)
    if getattr(holder, "url_config", None) is None:
        raise LambdaError(404, "ResourceNotFoundException", NO_RESOURCE)
    holder.url_config = None
    urls_changed()


def list_function_url_configs(
    self: Any, name_or_arn: str, marker: str | None = None, max_items: int | None = None
) -> tuple[list[FunctionUrlConfig], str | None]:
    """One page of the function's URL configs and the marker of the next page (None: this is the last)."""
    function, _ = _url_holder(self, name_or_arn, None, NO_FUNCTION)
    holders = [function, *self._lambdas._get_function_aliases(function.function_name).values()]
    configs = sorted(
        (h.url_config for h in holders if getattr(h, "url_config", None) is not None), key=lambda c: c.function_arn
    )
    if marker:
        configs = [config for config in configs if config.function_arn >= marker]
    size = min(max_items or MAX_ITEMS, MAX_ITEMS)
    page, rest = configs[:size], configs[size:]
    return page, (rest[0].function_arn if rest else None)


def _response_args(response: Any) -> tuple[str, str | None]:
    function_name = unquote(response.path.split("?")[0].rstrip("/").split("/")[-2])
    return function_name, response.querystring.get("Qualifier", [None])[0]


def _as_answered(config: FunctionUrlConfig, request: dict[str, Any]) -> str:
    """Create's and Update's answer: without ``InvokeMode`` when the request gave none (recorded on AWS)."""
    data = config.to_dict()
    if "InvokeMode" not in request:
        data.pop("InvokeMode", None)
    return json.dumps(data)


def _resp_create(self: Any) -> Any:
    name, qualifier = _response_args(self)
    config = self.backend.create_function_url_config(name, self.json_body, qualifier)
    return 201, {"status": 201}, _as_answered(config, self.json_body)


def _resp_get(self: Any) -> Any:
    name, qualifier = _response_args(self)
    return 200, {"status": 200}, json.dumps(self.backend.get_function_url_config(name, qualifier).to_dict())


def _resp_update(self: Any) -> Any:
    name, qualifier = _response_args(self)
    config = self.backend.update_function_url_config(name, self.json_body, qualifier)
    return 200, {"status": 200}, _as_answered(config, self.json_body)


def _resp_delete(self: Any) -> Any:
    name, qualifier = _response_args(self)
    self.backend.delete_function_url_config(name, qualifier)
    return 204, {"status": 204}, ""


def _resp_list(self: Any) -> Any:
    name, _ = _response_args(self)
    marker = self.querystring.get("Marker", [None])[0]
    max_items = self.querystring.get("MaxItems", [None])[0]
    page, next_marker = self.backend.list_function_url_configs(name, marker, int(max_items) if max_items else None)
    body: dict[str, Any] = {"FunctionUrlConfigs": [config.to_dict() for config in page]}
    if next_marker:
        body["NextMarker"] = next_marker
    return 200, {"status": 200}, json.dumps(body)


_LIST_PATH = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"


def apply() -> None:
    """Install the URL configuration API on moto's Lambda backend and responses (idempotent)."""
    from moto.awslambda import responses as lambda_responses
    from moto.awslambda import urls as lambda_urls

    backend = lambda_models.LambdaBackend
    backend.create_function_url_config = create_function_url_config  # type: ignore[method-assign]
    backend.get_function_url_config = get_function_url_config  # type: ignore[method-assign]
    backend.update_function_url_config = update_function_url_config  # type: ignore[method-assign]
    backend.delete_function_url_config = delete_function_url_config  # type: ignore[method-assign]
    backend.list_function_url_configs = list_function_url_configs  # type: ignore[attr-defined]
    resp = lambda_responses.LambdaResponse
    resp.create_function_url_config = _resp_create  # type: ignore[method-assign]
    resp.get_function_url_config = _resp_get  # type: ignore[method-assign]
    resp.update_function_url_config = _resp_update  # type: ignore[method-assign]
    resp.delete_function_url_config = _resp_delete  # type: ignore[method-assign]
    resp.list_function_url_configs = _resp_list  # type: ignore[attr-defined]
    backend.delete_alias = _delete_alias  # type: ignore[method-assign]
    lambda_urls.url_paths.setdefault(_LIST_PATH, lambda_responses.LambdaResponse.dispatch)
