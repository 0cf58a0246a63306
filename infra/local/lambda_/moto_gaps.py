"""Where moto 5.2 differs from AWS in ways a learner can see, corrected in one place.

moto owns the control-plane state; this module patches the few places where what it stores or returns
is not what AWS stores or returns (aws-behaviour.md §10), and adds what it lacks for Function URLs:

- ``AddPermission`` with ``FunctionUrlAuthType`` / ``InvokedViaFunctionUrl``: AWS turns them into
  conditions (``StringEquals {"lambda:FunctionUrlAuthType": ...}``, ``Bool {"lambda:InvokedViaFunctionUrl":
  "true"}``); moto kept them as raw keys.
- ``CreateFunctionUrlConfig``: AWS's URL ends with ``/`` and ``InvokeMode`` defaults to ``BUFFERED``;
  ``AuthType``, ``InvokeMode`` and ``Cors.AllowMethods`` are validated as the API reference says
  (API_CreateFunctionUrlConfig.html, API_Cors.html); a second config for the same function or alias is a
  ``ResourceConflictException``; ``UpdateFunctionUrlConfig`` also updates ``InvokeMode`` and can clear ``Cors``.
- ``RemovePermission`` gives the policy a new ``RevisionId`` (moto kept the old one; the local cloud
  remembers authorization decisions per revision).
- ``Qualifier`` (an alias name) on the Function URL operations: moto ignored it; the config is kept on
  moto's own alias object, so moto still holds all the state.

- ``CreateFunction`` / ``UpdateFunctionCode``: a .zip package Lambda refuses (over 262,144,000 bytes unzipped,
  or one it cannot unzip) is an ``InvalidParameterValueException``, as ``deployment_package.check_package``
  says and cites; moto stored any bytes.
- ``CreateFunction`` / ``UpdateFunctionConfiguration``: ``Environment.Variables`` that set a key Lambda reserves
  is an ``InvalidParameterValueException`` "Lambda was unable to configure your environment variables because
  the environment variables you have provided contains reserved keys that are currently not supported for
  modification. Reserved keys used in this request: <keys>" (text observed from AWS in serverless-dotenv-plugin#28,
  aws/aws-cdk#28048, mattermost-cloud-monitoring#264; keys from the "Defined runtime environment variables" list
  of docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html, which names ``AWS_DEFAULT_REGION`` too, refused
  on AWS per aws/aws-cdk#28048 and zuka-e/laravel-react-task-spa#146). Allowed: ``AWS_LAMBDA_EXEC_WRAPPER`` (set it
  to use a wrapper script, runtimes-modify.html), ``LANG``, ``PATH``, ``PYTHONPATH`` and the rest of the page's
  "unreserved" list. Choices: ``TZ`` is allowed (the old guide, awsdocs/aws-lambda-developer-guide
  ``doc_source/configuration-envvars.md``, listed it as reserved; the current list does not); the keys are listed
  in the order the request gave them, ", "-separated.

Not emulated: ``ListFunctionUrlConfigs``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote

from moto.awslambda import models as lambda_models
from moto.awslambda import policy as lambda_policy
from moto.awslambda import responses as lambda_responses
from moto.awslambda.exceptions import InvalidParameterValueException, LambdaClientError, UnknownAliasException
from moto.core.utils import utcnow

from .deployment_package import PackageError, check_package

_AUTH_TYPES = ("NONE", "AWS_IAM")
_INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
_CORS_METHODS = ("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*")
#: configuration-envvars.html, "Reserved environment variables".
RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
RESERVED_KEYS_MESSAGE = (
    "Lambda was unable to configure your environment variables because the environment variables you have "
    "provided contains reserved keys that are currently not supported for modification. "
    "Reserved keys used in this request: "
)


class ValidationException(LambdaClientError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


class ResourceConflictException(LambdaClientError):
    code = 409

    def __init__(self, message: str):
        super().__init__("ResourceConflictException", message)


class UrlConfigNotFound(LambdaClientError):
    code = 404

    def __init__(self) -> None:
        super().__init__("ResourceNotFoundException", "The resource you requested does not exist.")


def _enum_error(value: Any, field: str, allowed: tuple[str, ...]) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def validate_url_config(config: dict[str, Any], *, creating: bool) -> None:
    """Reject a Function URL config as the Lambda API does."""
    auth = config.get("AuthType")
    if creating and auth is None:
        raise ValidationException(
            "1 validation error detected: Value null at 'authType' failed to satisfy constraint: "
            "Member must not be null"
        )
    if auth is not None and auth not in _AUTH_TYPES:
        raise _enum_error(auth, "authType", _AUTH_TYPES)
    mode = config.get("InvokeMode")
    if mode is not None and mode not in _INVOKE_MODES:
        raise _enum_error(mode, "invokeMode", _INVOKE_MODES)
    methods = (config.get("Cors") or {}).get("AllowMethods") or []
    if len(methods) > 6:
        raise ValidationException(
            "1 validation error detected: Value at 'cors.allowMethods' failed to satisfy constraint: "
            "Member must have length less than or equal to 6"
        )
    for method in methods:
        if method not in _CORS_METHODS:
            raise ValidationException(
                f"1 validation error detected: Value '[{', '.join(methods)}]' at 'cors.allowMethods' "
                "failed to satisfy constraint: Member must satisfy constraint: [Member must have length "
                "less than or equal to 6, Member must satisfy regular expression pattern: .*]"
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


#: Bumped whenever a Function URL config is created or deleted (or its function is): lets a cache of moto's
#: URLs (``moto_lambda.UrlRegistry``) know when to rebuild, with moto still the only holder of the state.
_url_revision = [0]


def url_revision() -> int:
    """A counter that changes whenever the set of Function URLs in moto may have changed."""
    return _url_revision[0]


def _urls_changed() -> None:
    _url_revision[0] += 1


def _url_holder(backend: Any, name_or_arn: str, qualifier: str | None) -> tuple[Any, Any]:
    """The function and the object that holds its URL config (the function or one of its aliases)."""
    if ":" in name_or_arn.split(":function:")[-1]:
        name_or_arn, qualifier = name_or_arn.rsplit(":", 1)
    function = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    if not qualifier:
        return function, function
    aliases = backend._lambdas._get_function_aliases(function.function_name)
    if qualifier not in aliases:
        raise UnknownAliasException(f"{function.function_arn}:{qualifier}")
    return function, aliases[qualifier]


def create_function_url_config(
    self: Any, name_or_arn: str, config: dict[str, Any], qualifier: str | None = None
) -> FunctionUrlConfig:
    validate_url_config(config, creating=True)
    function, holder = _url_holder(self, name_or_arn, qualifier)
    qualifier = None if holder is function else holder.name  # also when the qualifier came in a qualified ARN
    if getattr(holder, "url_config", None) is not None:
        arn = f"{function.function_arn}:{qualifier}" if qualifier else function.function_arn
        raise ResourceConflictException(
            f"Failed to create function url config for [functionArn = {arn}]. "
            "Error message:  FunctionUrlConfig exists for this Lambda function"
        )
    holder.url_config = FunctionUrlConfig(function, dict(config), qualifier)
    _urls_changed()
    return holder.url_config


def get_function_url_config(self: Any, name_or_arn: str, qualifier: str | None = None) -> FunctionUrlConfig:
    _, holder = _url_holder(self, name_or_arn, qualifier)
    if getattr(holder, "url_config", None) is None:
        raise UrlConfigNotFound()
    return holder.url_config


def update_function_url_config(
    self: Any, name_or_arn: str, config: dict[str, Any], qualifier: str | None = None
) -> FunctionUrlConfig:
    validate_url_config(config, creating=False)
    url_config = get_function_url_config(self, name_or_arn, qualifier)
    url_config.update(config)
    return url_config


def delete_function_url_config(self: Any, name_or_arn: str, qualifier: str | None = None) -> None:
    _, holder = _url_holder(self, name_or_arn, qualifier)
    if getattr(holder, "url_config", None) is None:
        raise UrlConfigNotFound()
    holder.url_config = None
    _urls_changed()


def _response_args(response: Any) -> tuple[str, str | None]:
    function_name = unquote(response.path.split("?")[0].rstrip("/").split("/")[-2])
    return function_name, response.querystring.get("Qualifier", [None])[0]


def _resp_create(self: Any) -> Any:
    name, qualifier = _response_args(self)
    config = self.backend.create_function_url_config(name, self.json_body, qualifier)
    return 201, {"status": 201}, json.dumps(config.to_dict())


def _resp_get(self: Any) -> Any:
    name, qualifier = _response_args(self)
    return 200, {"status": 200}, json.dumps(self.backend.get_function_url_config(name, qualifier).to_dict())


def _resp_update(self: Any) -> Any:
    name, qualifier = _response_args(self)
    config = self.backend.update_function_url_config(name, self.json_body, qualifier)
    return 200, {"status": 200}, json.dumps(config.to_dict())


def _resp_delete(self: Any) -> Any:
    name, qualifier = _response_args(self)
    self.backend.delete_function_url_config(name, qualifier)
    return 204, {"status": 204}, ""


_original_decode_policy = lambda_policy.Policy.decode_policy


def _decode_policy(self: Any, obj: dict[str, Any]) -> Any:
    """AddPermission's FunctionUrlAuthType / InvokedViaFunctionUrl become conditions, as on AWS."""
    extra: dict[str, dict[str, str]] = {}
    if "FunctionUrlAuthType" in obj:
        extra.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = obj.pop("FunctionUrlAuthType")
    if obj.pop("InvokedViaFunctionUrl", None):
        extra.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
    policy = _original_decode_policy(self, obj)
    if extra:
        statement = policy.statements[-1]
        condition = statement.setdefault("Condition", {})
        for operator, pairs in extra.items():
            condition.setdefault(operator, {}).update(pairs)
    return policy


_original_del_statement = lambda_policy.Policy.del_statement


def _del_statement(self: Any, sid: str, revision: str = "") -> None:
    """RemovePermission gives the policy a new RevisionId, as on AWS (moto kept the old one)."""
    _original_del_statement(self, sid, revision)
    self.revision = str(uuid.uuid4())


def check_environment(config: dict[str, Any]) -> None:
    """Refuse ``Environment.Variables`` that set a reserved key, as Lambda does."""
    environment = config.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if not isinstance(variables, dict):
        return
    used = [key for key in variables if key in RESERVED_ENVIRONMENT_KEYS]
    if used:
        raise InvalidParameterValueException(RESERVED_KEYS_MESSAGE + ", ".join(used))


_original_create_function = lambda_models.LambdaBackend.create_function
_original_update_function_configuration = lambda_models.LambdaBackend.update_function_configuration
_original_delete_function = lambda_models.LambdaBackend.delete_function


def _create_function(self: Any, spec: dict[str, Any]) -> Any:
    check_environment(spec)
    return _original_create_function(self, spec)


def _delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
    """moto's DeleteFunction; its URLs (its own and its aliases') go with it."""
    _original_delete_function(self, function_name, qualifier)
    _urls_changed()


def _update_function_configuration(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
    check_environment(body)
    return _original_update_function_configuration(self, function_name, qualifier, body)


_CODE_ATTRIBUTES = ("code_bytes", "code_size", "code_sha_256", "code_digest")
#: CodeSha256 of packages already checked and found fine (UpdateFunctionCode sets the code twice in moto).
_checked_packages: dict[str, None] = {}
_original_set_function_code = lambda_models.LambdaFunction._set_function_code


def _check_code(function: Any) -> None:
    sha = getattr(function, "code_sha_256", "")
    code = getattr(function, "code_bytes", b"")
    if not code or function.package_type != "Zip" or sha in _checked_packages:
        return
    check_package(code)
    _checked_packages[sha] = None
    while len(_checked_packages) > 256:
        del _checked_packages[next(iter(_checked_packages))]


def _set_function_code(self: Any, updated_spec: dict[str, Any]) -> None:
    """moto's code update, undone and refused when Lambda would refuse the package."""
    saved = {name: getattr(self, name) for name in _CODE_ATTRIBUTES if hasattr(self, name)}
    saved_code = dict(self.code)
    _original_set_function_code(self, updated_spec)
    try:
        _check_code(self)
    except PackageError as exc:
        for name in _CODE_ATTRIBUTES:
            if name in saved:
                setattr(self, name, saved[name])
        self.code.clear()
        self.code.update(saved_code)
        raise InvalidParameterValueException(str(exc)) from None


_applied = False


def apply() -> None:
    """Install the corrections (idempotent)."""
    global _applied
    if _applied:
        return
    lambda_policy.Policy.decode_policy = _decode_policy  # type: ignore[method-assign]
    lambda_policy.Policy.del_statement = _del_statement  # type: ignore[method-assign]
    lambda_models.LambdaFunction._set_function_code = _set_function_code  # type: ignore[method-assign]
    backend = lambda_models.LambdaBackend
    backend.create_function = _create_function  # type: ignore[method-assign]
    backend.delete_function = _delete_function  # type: ignore[method-assign]
    backend.update_function_configuration = _update_function_configuration  # type: ignore[method-assign]
    backend.create_function_url_config = create_function_url_config  # type: ignore[method-assign]
    backend.get_function_url_config = get_function_url_config  # type: ignore[method-assign]
    backend.update_function_url_config = update_function_url_config  # type: ignore[method-assign]
    backend.delete_function_url_config = delete_function_url_config  # type: ignore[method-assign]
    resp = lambda_responses.LambdaResponse
    resp.create_function_url_config = _resp_create  # type: ignore[method-assign]
    resp.get_function_url_config = _resp_get  # type: ignore[method-assign]
    resp.update_function_url_config = _resp_update  # type: ignore[method-assign]
    resp.delete_function_url_config = _resp_delete  # type: ignore[method-assign]
    _applied = True
