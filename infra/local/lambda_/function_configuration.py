"""A function's configuration (``GetFunction``, ``CreateFunction``'s answer) with the fields AWS shows, moto lacks.

Emulates (API_FunctionConfiguration.html; recorded on AWS in LocalStack's AWS-validated ``test_lambda_api.py``
snapshots of ``CreateFunction``/``GetFunction``, and in issue 12's replay of them):

- ``RevisionId``: a UUID that changes whenever the function's code or configuration does;
- ``LoggingConfig``: ``{"LogFormat": "Text", "LogGroup": "/aws/lambda/<name>"}`` unless the request gave one (what
  it gave is kept over those defaults; a ``JSON`` format adds ``ApplicationLogLevel``/``SystemLogLevel``
  ``INFO``, as the API reference gives their defaults);
- ``RuntimeVersionConfig``: ``{"RuntimeVersionArn": "arn:aws:lambda:<region>::runtime:<64 hex>"}`` for a .zip
  function;
- ``Environment``: kept when the request gave one, even with no variables (``{"Variables": {}}``); moto dropped
  an empty one;
- the ``Pending`` state (functions-states.html): a new function is ``Pending`` with ``StateReason`` "The function
  is being created." and ``StateReasonCode`` "Creating" (recorded on AWS: ``CreateFunction``'s answer in the
  snapshots above), in ``CreateFunction``'s answer and in every read (``GetFunction``, ``GetFunctionConfiguration``,
  ``ListFunctions``) for ``PENDING_SECONDS``, then ``Active`` with neither field and ``LastUpdateStatus``
  ``Successful``, as moto shows. While it is ``Pending``, ``pending_conflict`` refuses ``UpdateFunctionCode``,
  ``UpdateFunctionConfiguration`` and ``PublishVersion`` (the page lists them with ``Invoke`` as the operations
  that fail "while function creation is pending") with a 409 ``ResourceConflictException`` "The operation cannot
  be performed at this time. The resource <function ARN> is currently in the following state: 'Pending'.
  StateReasonCode: 'Creating'" (observed from AWS: aws/serverless-application-model#2356, and a user's CI report
  of ``UpdateFunctionCode`` right after ``CreateFunction``); the data plane refuses ``Invoke`` through
  ``active_at`` (``invoke_api.py``).

Choices (no source gives them): the runtime version's 64 hex digits are the SHA-256 of the runtime's name (AWS's
name a runtime build); a published version keeps the ``RevisionId`` its ``$LATEST`` had when it was published;
``Pending`` lasts ``PENDING_SECONDS`` (0.5 s: AWS gives no figure for a .zip function outside a VPC, where it is
typically under a second; short so that a notebook does not wait long); while ``Pending`` a read shows no
``LastUpdateStatus``, as ``CreateFunction``'s answer does not; ``PublishVersion`` is refused with the same text as
the updates (no recording of its own); a version published by ``CreateFunction`` with ``Publish`` is ``Pending`` for
as long as ``$LATEST``; a version published later is ``Active`` at once (AWS may show it ``Pending`` briefly too).
Not emulated: ``LastUpdateStatus`` ``InProgress`` after an update (updates take effect at once); the ``Failed`` and
``Inactive`` states; logs go to ``/aws/lambda/<name>`` whatever ``LoggingConfig.LogGroup`` says.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

from moto.awslambda import models as lambda_models

from .url_configs import LambdaError

#: How long a new function stays ``Pending`` (seconds). Choice: see the module's docstring; tests may patch it.
PENDING_SECONDS = 0.5
CREATING = {"State": "Pending", "StateReason": "The function is being created.", "StateReasonCode": "Creating"}

_original_get_configuration = lambda_models.LambdaFunction.get_configuration
_original_update_configuration = lambda_models.LambdaFunction.update_configuration


def new_revision(function: Any) -> None:
    """The function's code or configuration changed: it gets a new ``RevisionId``."""
    function.kit_revision_id = str(uuid.uuid4())


def remember_request(function: Any, request: dict[str, Any]) -> None:
    """What a Create or UpdateFunctionConfiguration request gave that moto does not keep."""
    if "Environment" in request:
        function.kit_environment_given = True
    if isinstance(request.get("LoggingConfig"), dict):
        function.kit_logging_config = {**getattr(function, "kit_logging_config", {}), **request["LoggingConfig"]}
    new_revision(function)


def start_pending(function: Any) -> None:
    """``function`` (a new ``$LATEST``, or a version published with it) is ``Pending`` for ``PENDING_SECONDS``."""
    function.kit_active_at = time.monotonic() + PENDING_SECONDS


def active_at(function: Any) -> float:
    """The ``time.monotonic()`` at which ``function`` is (or was) ``Active``: 0 for a function never ``Pending``."""
    return float(getattr(function, "kit_active_at", 0.0))


def is_pending(function: Any) -> bool:
    return active_at(function) > time.monotonic()


def pending_conflict(function: Any) -> None:
    """Refuse an operation that fails while ``function`` is being created (functions-states.html)."""
    if is_pending(function):
        message = (
            f"The operation cannot be performed at this time. The resource {function.function_arn} is currently "
            "in the following state: 'Pending'. StateReasonCode: 'Creating'"
        )
        raise LambdaError(409, "ResourceConflictException", message)


def _logging_config(function: Any) -> dict[str, Any]:
    given = getattr(function, "kit_logging_config", {})
    config: dict[str, Any] = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.function_name}", **given}
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    return config


def _get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
    config = _original_get_configuration(self, on_create)
    if on_create or is_pending(self):
        config.update(CREATING)
        config.pop("LastUpdateStatus", None)
    if not hasattr(self, "kit_revision_id"):
        new_revision(self)
    config["RevisionId"] = self.kit_revision_id
    config["LoggingConfig"] = _logging_config(self)
    if self.package_type == "Zip" and self.run_time:
        digest = hashlib.sha256(str(self.run_time).encode()).hexdigest()
        config["RuntimeVersionConfig"] = {"RuntimeVersionArn": f"arn:aws:lambda:{self.region}::runtime:{digest}"}
    if getattr(self, "kit_environment_given", False) and "Environment" not in config:
        config["Environment"] = {"Variables": dict(self.environment_vars or {})}
    return config


def _update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
    remember_request(self, config_updates)
    return _original_update_configuration(self, config_updates)


def apply() -> None:
    """Install the configuration's fields on moto's functions (idempotent: assignments only)."""
    lambda_models.LambdaFunction.get_configuration = _get_configuration  # type: ignore[method-assign]
    lambda_models.LambdaFunction.update_configuration = _update_configuration  # type: ignore[method-assign]
