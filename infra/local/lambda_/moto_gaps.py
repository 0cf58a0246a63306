"""Where moto 5.2 differs from AWS in ways a learner can see, corrected in one place.

moto owns the control-plane state; this module patches the few places where what it stores or returns
is not what AWS stores or returns (aws-behaviour.md §10), and adds what it lacks for Function URLs:

- ``AddPermission`` with ``FunctionUrlAuthType`` / ``InvokedViaFunctionUrl``: AWS turns them into
  conditions (``StringEquals {"lambda:FunctionUrlAuthType": ...}``, ``Bool {"lambda:InvokedViaFunctionUrl":
  "true"}``); moto kept them as raw keys. ``PrincipalOrgID`` and ``SourceAccount`` keep their
  ``StringEquals`` conditions side by side (moto let the second replace the first).
- the Function URL configuration API (its URL shape, ``InvokeMode``, validation, ``Qualifier``, errors and
  ``ListFunctionUrlConfigs``): ``url_configs.py``, installed from here.
- ``AddPermission`` answers 201 and ``DeleteAlias`` 204 with no body, their ``responseCode`` in the API
  reference (moto: 200, and 201 ``{}``).
- ``RemovePermission`` gives the policy a new ``RevisionId`` (moto kept the old one; the local cloud
  remembers authorization decisions per revision).
- a function's configuration shows ``RevisionId``, ``LoggingConfig``, ``RuntimeVersionConfig`` and an empty
  ``Environment`` as AWS does: ``function_configuration.py``, installed from here.
- a new function is ``Pending`` for a moment, as on AWS (moto: ``Active`` at once); ``UpdateFunctionCode``,
  ``UpdateFunctionConfiguration`` and ``PublishVersion`` are refused meanwhile, as ``function_configuration.py``
  says and cites.
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
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from moto.awslambda import models as lambda_models
from moto.awslambda import policy as lambda_policy
from moto.awslambda import responses as lambda_responses
from moto.awslambda.exceptions import InvalidParameterValueException

from .. import pace
from . import function_configuration, url_configs
from .deployment_package import PackageError, check_package
from .url_configs import create_function_url_config, url_revision, urls_changed

__all__ = ["apply", "check_environment", "create_function_url_config", "url_revision"]

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


_original_decode_policy = lambda_policy.Policy.decode_policy


def _decode_policy(self: Any, obj: dict[str, Any]) -> Any:
    """AddPermission's FunctionUrlAuthType / InvokedViaFunctionUrl become conditions, as on AWS."""
    extra: dict[str, dict[str, str]] = {}
    # moto wrote each of these as a whole StringEquals block, so with two of them one was lost.
    if "PrincipalOrgID" in obj:
        extra.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = obj.pop("PrincipalOrgID")
    if "SourceAccount" in obj:
        extra.setdefault("StringEquals", {})["AWS:SourceAccount"] = obj.pop("SourceAccount")
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
_original_update_function_code = lambda_models.LambdaBackend.update_function_code
_original_publish_version = lambda_models.LambdaBackend.publish_version


def _check_role_assumable(account_id: str, role_arn: str) -> None:
    """A role Lambda may not assume yet: IAM's eventual consistency, paced like AWS for a rehearsal (``pace.py``)."""
    paced = pace.seconds("IAM")
    if not paced:
        return
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[account_id]["global"].get_role_by_arn(role_arn)
    except Exception:  # an unknown role is moto's to refuse
        return
    created = role.create_date
    now = (
        datetime.datetime.now(created.tzinfo)
        if created.tzinfo
        else datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    )
    if (now - created).total_seconds() < paced:
        raise InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")


def _create_function(self: Any, spec: dict[str, Any]) -> Any:
    check_environment(spec)
    _check_role_assumable(self.account_id, spec.get("Role", ""))
    function = _original_create_function(self, spec)
    function_configuration.remember_request(function, spec)
    group = self._lambdas._functions[function.function_name]
    for created in [group["latest"], *group["versions"]]:  # ``Publish`` may have made version 1 too
        function_configuration.start_pending(created)
    function_configuration.start_pending(function)  # the answer (a copy when ``Publish`` was given)
    return function


def _update_function_code(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
    function_configuration.pending_conflict(self.get_function(function_name, qualifier))
    return _original_update_function_code(self, function_name, qualifier, body)


def _publish_version(self: Any, function_name: str, description: str = "") -> Any:
    function_configuration.pending_conflict(self.get_function(function_name))
    return _original_publish_version(self, function_name, description)


def _delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
    """moto's DeleteFunction; its URLs (its own and its aliases') go with it."""
    _original_delete_function(self, function_name, qualifier)
    urls_changed()


def _update_function_configuration(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
    function_configuration.pending_conflict(self.get_function(function_name, qualifier))
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
    function_configuration.new_revision(self)


def _resp_add_permission(self: Any) -> Any:
    """moto's AddPermission, answered 201 as AWS does (API_AddPermission.html: ``responseCode`` 201)."""
    return 201, {"status": 201}, _original_resp_add_permission(self)


def _resp_delete_alias(self: Any) -> Any:
    """moto's DeleteAlias, answered 204 with no body as AWS does (API_DeleteAlias.html); moto said 201 ``{}``."""
    _original_resp_delete_alias(self)
    return 204, {"status": 204}, ""


_original_resp_add_permission = lambda_responses.LambdaResponse.add_permission
_original_resp_delete_alias = lambda_responses.LambdaResponse.delete_alias
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
    backend.update_function_code = _update_function_code  # type: ignore[method-assign]
    backend.publish_version = _publish_version  # type: ignore[method-assign]
    url_configs.apply()
    function_configuration.apply()
    lambda_responses.LambdaResponse.add_permission = _resp_add_permission  # type: ignore[method-assign]
    lambda_responses.LambdaResponse.delete_alias = _resp_delete_alias  # type: ignore[method-assign]
    _applied = True
