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
- ``CreateFunction`` answers ``State: "Pending"`` with ``StateReason`` "The function is being created." and
  ``StateReasonCode`` "Creating" (functions-states.html); reads after it say ``Active``.

Choices (no source gives them): the runtime version's 64 hex digits are the SHA-256 of the runtime's name (AWS's
name a runtime build); a published version keeps the ``RevisionId`` its ``$LATEST`` had when it was published.
Not emulated: ``Pending`` past the ``CreateFunction`` answer (an ``Invoke`` right after it runs the function, where
AWS may answer ``ResourceConflictException`` until it is ``Active``; ``function_active_v2`` meets ``Active`` at its
first poll); logs go to
``/aws/lambda/<name>`` whatever ``LoggingConfig.LogGroup`` says.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from moto.awslambda import models as lambda_models

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


def _logging_config(function: Any) -> dict[str, Any]:
    given = getattr(function, "kit_logging_config", {})
    config: dict[str, Any] = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.function_name}", **given}
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    return config


def _get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
    config = _original_get_configuration(self, on_create)
    if on_create:
        config.update(State="Pending", StateReason="The function is being created.", StateReasonCode="Creating")
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
