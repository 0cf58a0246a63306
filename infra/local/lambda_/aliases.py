"""Versions and aliases as Lambda has them: what moto lacks, filled in, and an alias's weighted routing.

Emulates:
- ``PublishVersion`` freezes the code and configuration of ``$LATEST`` (lambda/latest/dg/configuration-versions.html:
  "Lambda creates a new version ... The function version includes ... the function code and all associated
  dependencies ... the function settings, including the environment variables"; a version is immutable). moto
  copies ``$LATEST`` shallowly, so the version shared ``$LATEST``'s ``code`` dictionary (``S3Key``, ``UUID``),
  which ``UpdateFunctionCode`` changes in place; here the version gets its own.
- ``CreateAlias`` / ``UpdateAlias``: ``FunctionVersion`` must be a version or ``$LATEST`` (an alias cannot point at
  another alias: the API's pattern, read from botocore's model, ``ValidationException``); ``RoutingConfig.
  AdditionalVersionWeights`` holds at most one version, a number other than the alias's own, with a weight from
  0.0 to 1.0, and is refused on an alias of ``$LATEST`` (aliases-routing: "You cannot ... point an alias to
  $LATEST" with weights; API_AliasRoutingConfiguration.html for the key pattern and range). The messages are
  LocalStack's Lambda provider's (``_create_routing_config_model``, written against AWS); moto accepted all of it.
  An unknown additional version is moto's ``ResourceNotFoundException``.
- A Function URL on a version (``Qualifier`` all digits) is a ``ValidationException`` (API_CreateFunctionUrlConfig.html:
  the qualifier is "The alias name"; pattern from botocore's model; message as LocalStack's provider gives it);
  moto answered 404 for an unknown alias.
- Weighted routing per invocation (configuring-alias-routing: "Lambda uses a simple probabilistic model to
  distribute the traffic between the two function versions. At low traffic levels, you might see a high variance
  between the configured and actual percentage of traffic on each version"): ``choose`` draws once per
  invocation, after the data plane's cache of resolved functions, so every invocation of a weighted alias may run
  either version; ``ExecutedVersion``, ``AWS_LAMBDA_FUNCTION_VERSION``, the ``START`` line's ``Version`` and the log
  stream's ``[<version>]`` say which ran.

Not emulated: ``RevisionId`` checks on ``UpdateAlias``/``PublishVersion``, ``CodeSha256`` on ``PublishVersion``,
a resource policy of its own per version (moto's copy shares ``$LATEST``'s).
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Callable
from typing import Any

import botocore.session
from moto.awslambda import models as lambda_models
from moto.awslambda.exceptions import InvalidParameterValueException, LambdaClientError

from .function_spec import FunctionSpec, spec_from_moto

_model = botocore.session.get_session().get_service_model("lambda")
#: CreateAlias's ``FunctionVersion`` (``VersionWithLatestPublished``) and the URL operations' ``Qualifier``.
ALIAS_VERSION_PATTERN: str = _model.shape_for("VersionWithLatestPublished").metadata["pattern"]
URL_QUALIFIER_PATTERN: str = (
    _model.operation_model("CreateFunctionUrlConfig").input_shape.members["Qualifier"].metadata["pattern"]
)

Weights = tuple[tuple[float, FunctionSpec], ...]


class ValidationException(LambdaClientError):
    """Lambda's 400 ``ValidationException``, in moto's error shape."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


def check_alias_target(function_version: str) -> None:
    """An alias points at a version number or ``$LATEST``, never at another alias."""
    if re.fullmatch(ALIAS_VERSION_PATTERN, function_version) is None:
        raise ValidationException(
            f"1 validation error detected: Value '{function_version}' at 'functionVersion' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {ALIAS_VERSION_PATTERN}"
        )


def check_routing(function_version: str, routing_config: dict[str, Any] | None) -> dict[str, float]:
    """The alias's additional version weights, checked as the Lambda API checks them ({} when none)."""
    weights = (routing_config or {}).get("AdditionalVersionWeights") or {}
    if not isinstance(weights, dict):
        raise ValidationException("RoutingConfig.AdditionalVersionWeights must be a map of version to weight")
    if len(weights) > 1:
        raise InvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater than 1")
    for key, value in weights.items():
        if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
            raise ValidationException(
                f"1 validation error detected: Value '{{{key}={value}}}' at 'routingConfig.additionalVersionWeights' "
                "failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than "
                "or equal to 1.0, Member must have value greater than or equal to 0.0]"
            )
        if key == function_version:
            raise InvalidParameterValueException(
                f"Invalid function version {key}. Function version {key} is already included in routing configuration."
            )
        if function_version.startswith("$LATEST"):
            raise InvalidParameterValueException(
                "$LATEST is not supported for an alias pointing to more than 1 version"
            )
        if re.fullmatch(r"[0-9]+", key) is None:
            raise ValidationException(
                f"1 validation error detected: Value '{{{key}={value}}}' at 'routingConfig.additionalVersionWeights' "
                "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than "
                "or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular "
                "expression pattern: [0-9]+]"
            )
    return {str(key): float(value) for key, value in weights.items()}


def check_url_qualifier(name_or_arn: str, qualifier: str | None) -> None:
    """A Function URL belongs to a function or an alias, never to a version."""
    if qualifier is None and ":" in name_or_arn.split(":function:")[-1]:
        qualifier = name_or_arn.rsplit(":", 1)[1]
    if qualifier is not None and re.fullmatch(URL_QUALIFIER_PATTERN, qualifier) is None:
        raise ValidationException(
            f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {URL_QUALIFIER_PATTERN}"
        )


# --- the data plane's side --------------------------------------------------------------------------------


def alias_weights(backend: Any, function_name: str, qualifier: str | None, reserved: Any) -> Weights:
    """The additional versions an alias sends a share of its invocations to, with their weights (() when none)."""
    if not qualifier or qualifier.isdigit() or qualifier.startswith("$"):
        return ()
    alias = backend._lambdas._get_function_aliases(function_name).get(qualifier)
    weights = ((alias.routing_config or {}).get("AdditionalVersionWeights") or {}) if alias is not None else {}
    routed: list[tuple[float, FunctionSpec]] = []
    for version, weight in weights.items():
        function = backend._lambdas._get_version(function_name, str(version))
        if function is not None and float(weight) > 0.0:
            routed.append((float(weight), spec_from_moto(function, reserved_concurrency=reserved)))
    return tuple(routed)


def choose(primary: FunctionSpec, weights: Weights, draw: Callable[[], float]) -> FunctionSpec:
    """The version one invocation runs: an additional version with its weight's probability, else the primary.

    ``draw`` returns a number in [0, 1) (``random.random``; a seeded one in tests); it is called only when the
    alias has weights, once per invocation.
    """
    if not weights:
        return primary
    point = draw()
    for weight, spec in weights:
        if point < weight:
            return spec
        point -= weight
    return primary


# --- moto patches --------------------------------------------------------------------------------------------

_applied = False


def apply() -> None:
    """Install the checks and the frozen copy on moto's Lambda backend (idempotent; after ``moto_gaps.apply``)."""
    global _applied
    if _applied:
        return
    from . import moto_gaps

    moto_gaps.apply()
    storage = lambda_models.LambdaStorage
    backend = lambda_models.LambdaBackend
    original_publish = storage.publish_version
    original_put_alias = storage.put_alias
    original_update_alias = storage.update_alias

    def publish_version(self: Any, name_or_arn: str, description: str = "") -> Any:
        versions_before = {id(fn) for entry in self._functions.values() for fn in entry["versions"]}
        version = original_publish(self, name_or_arn, description)
        if version is not None and id(version) not in versions_before:
            version.code = copy.deepcopy(version.code)
        return version

    def put_alias(
        self: Any, name: str, function_name: str, function_version: str, description: str, routing_config: Any
    ) -> Any:
        check_alias_target(str(function_version))
        weights = check_routing(str(function_version), routing_config)
        for version in weights:
            self.get_function_by_name_or_arn_with_qualifier(function_name, version)
        return original_put_alias(self, name, function_name, function_version, description, routing_config)

    def update_alias(
        self: Any, name: str, function_name: str, function_version: str, description: str, routing_config: Any
    ) -> Any:
        alias = self.get_alias(name, function_name)
        target = str(function_version) if function_version is not None else str(alias.function_version)
        check_alias_target(target)
        current = routing_config if routing_config is not None else alias.routing_config
        weights = check_routing(target, current)
        for version in weights:
            self.get_function_by_name_or_arn_with_qualifier(function_name, version)
        return original_update_alias(self, name, function_name, function_version, description, routing_config)

    storage.publish_version = publish_version  # type: ignore[method-assign]
    storage.put_alias = put_alias  # type: ignore[method-assign]
    storage.update_alias = update_alias  # type: ignore[method-assign]
    for operation in (
        "create_function_url_config",
        "get_function_url_config",
        "update_function_url_config",
        "delete_function_url_config",
    ):
        setattr(backend, operation, _refusing_versions(getattr(backend, operation)))
    _applied = True


def _refusing_versions(operation: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(operation)

    def checked(self: Any, name_or_arn: str, *args: Any, **kwargs: Any) -> Any:
        qualifier = signature.bind(self, name_or_arn, *args, **kwargs).arguments.get("qualifier")
        check_url_qualifier(name_or_arn, qualifier)
        return operation(self, name_or_arn, *args, **kwargs)

    checked.__wrapped__ = operation  # type: ignore[attr-defined]
    return checked
