"""Provisioned concurrency: the API moto lacks, and the keeper that holds that many environments initialised.

Emulates (docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html; API_PutProvisionedConcurrencyConfig.html):
- ``PutProvisionedConcurrencyConfig`` on a version or an alias answers 202 with ``Status: IN_PROGRESS``;
  ``GetProvisionedConcurrencyConfig`` shows ``READY`` once that many environments have finished their INIT
  (``AllocatedProvisionedConcurrentExecutions``/``Available...`` count them as they come), ``FAILED`` with a
  ``StatusReason`` if one cannot start; ``DeleteProvisionedConcurrencyConfig`` (204) releases them;
  ``ListProvisionedConcurrencyConfigs``.
- Those environments run with ``AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`` and their REPORT lines have
  no ``Init Duration`` (the INIT happened before any request); invocations beyond them start on demand (``on-demand``,
  with ``Init Duration``), as the guide says ("Lambda uses on-demand concurrency ... for invocations that exceed it").
  The idle reaper and the pool's make-room never retire them.
- Errors: ``$LATEST``, or an alias of ``$LATEST``: ``InvalidParameterValueException`` "Provisioned Concurrency Configs
  cannot be applied to unpublished function versions." (observed on AWS: the error users quote, and LocalStack's
  provider); no config: ``ProvisionedConcurrencyConfigNotFoundException`` 404 "No Provisioned Concurrency Config
  found for this function" (LocalStack's provider, [observed]).

Choices (no source states them): an alias with weights keeps its environments for the alias's main version only;
the keeper re-checks after every control-plane change and every 0.2 s while a config is ``IN_PROGRESS``.
Not emulated: the 5-minute billing granularity, the account's unreserved-concurrency check, periodic recycling.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from moto.awslambda import models as lambda_models
from moto.awslambda import responses as lambda_responses
from moto.awslambda import urls as lambda_urls
from moto.awslambda.exceptions import InvalidParameterValueException, LambdaClientError
from moto.awslambda.models import lambda_backends
from moto.core.utils import utcnow

from .environment_pool import EnvironmentPool
from .moto_lambda import control_plane_revision, resolve_function

log = logging.getLogger(__name__)
UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."


class ConfigNotFound(LambdaClientError):
    code = 404

    def __init__(self) -> None:
        super().__init__(
            "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function"
        )


def _now() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class ProvisionedConfig:
    """One config, kept on moto's Lambda backend object (moto stays the holder of control-plane state)."""

    function_name: str
    function_arn: str  # unqualified
    qualifier: str
    requested: int
    allocated: int = 0
    status: str = "IN_PROGRESS"
    reason: str = ""
    last_modified: str = field(default_factory=_now)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "RequestedProvisionedConcurrentExecutions": self.requested,
            "AvailableProvisionedConcurrentExecutions": self.allocated,
            "AllocatedProvisionedConcurrentExecutions": self.allocated,
            "Status": self.status,
            "LastModified": self.last_modified,
        }
        if self.reason:
            data["StatusReason"] = self.reason
        return data

    def list_item(self) -> dict[str, Any]:
        return {"FunctionArn": f"{self.function_arn}:{self.qualifier}", **self.to_json()}


def configs_of(backend: Any) -> dict[tuple[str, str], ProvisionedConfig]:
    found: dict[tuple[str, str], ProvisionedConfig] | None = getattr(backend, "_kit_provisioned", None)
    if found is None:
        found = {}
        backend._kit_provisioned = found
    return found


def _target(backend: Any, name_or_arn: str, qualifier: str | None) -> tuple[Any, str]:
    """The function and the qualifier a config is for; refuses $LATEST and aliases of $LATEST."""
    if ":" in name_or_arn.split(":function:")[-1]:
        name_or_arn, qualifier = name_or_arn.rsplit(":", 1)
    if not qualifier or qualifier.startswith("$LATEST"):
        raise InvalidParameterValueException(UNPUBLISHED)
    base = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    version = backend.get_function(base.function_name, qualifier)  # moto's 404 for an unknown one
    if str(version.version).startswith("$LATEST"):
        raise InvalidParameterValueException(UNPUBLISHED)
    return base, qualifier


def put_config(backend: Any, name_or_arn: str, qualifier: str | None, count: int) -> ProvisionedConfig:
    base, qualifier = _target(backend, name_or_arn, qualifier)
    config = ProvisionedConfig(base.function_name, base.function_arn, qualifier, int(count))
    configs_of(backend)[(base.function_name, qualifier)] = config
    return config


def get_config(backend: Any, name_or_arn: str, qualifier: str | None) -> ProvisionedConfig:
    base, qualifier = _target(backend, name_or_arn, qualifier)
    config = configs_of(backend).get((base.function_name, qualifier))
    if config is None:
        raise ConfigNotFound()
    return config


def delete_config(backend: Any, name_or_arn: str, qualifier: str | None) -> None:
    base, qualifier = _target(backend, name_or_arn, qualifier)
    if configs_of(backend).pop((base.function_name, qualifier), None) is None:
        raise ConfigNotFound()


# --- moto's responses -----------------------------------------------------------------------------------------


def _args(response: Any) -> tuple[str, str | None]:
    name = unquote(response.path.split("?")[0].rstrip("/").split("/")[-2])
    return name, response.querystring.get("Qualifier", [None])[0]


def _resp_put(self: Any) -> Any:
    name, qualifier = _args(self)
    count = json.loads(self.body or "{}").get("ProvisionedConcurrentExecutions")
    config = put_config(self.backend, name, qualifier, count)
    return 202, {"status": 202}, json.dumps(config.to_json())


def _resp_get(self: Any) -> Any:
    name, qualifier = _args(self)
    return 200, {}, json.dumps(get_config(self.backend, name, qualifier).to_json())


def _resp_delete(self: Any) -> Any:
    name, qualifier = _args(self)
    delete_config(self.backend, name, qualifier)
    return 204, {"status": 204}, ""


def _resp_list(self: Any) -> Any:
    name, _ = _args(self)
    base = self.backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
    items = [c.list_item() for (fn, _q), c in configs_of(self.backend).items() if fn == base.function_name]
    return 200, {}, json.dumps({"ProvisionedConcurrencyConfigs": items})


_applied = False


def apply() -> None:
    """Serve the four operations from moto's Lambda backend (idempotent; before the first Lambda request)."""
    global _applied
    if _applied:
        return
    path = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/provisioned-concurrency/?$"
    lambda_urls.url_paths[path] = lambda_responses.LambdaResponse.dispatch
    resp = lambda_responses.LambdaResponse
    resp.put_provisioned_concurrency_config = _resp_put  # type: ignore[attr-defined]
    resp.get_provisioned_concurrency_config = _resp_get  # type: ignore[attr-defined]
    resp.delete_provisioned_concurrency_config = _resp_delete  # type: ignore[attr-defined]
    resp.list_provisioned_concurrency_configs = _resp_list  # type: ignore[attr-defined]
    backend = lambda_models.LambdaBackend
    original_delete_function = backend.delete_function
    original_delete_alias = backend.delete_alias

    def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
        """A config goes with its function, version or alias (as on AWS), not only at the keeper's next round."""
        original_delete_function(self, function_name, qualifier)
        name = _bare_name(function_name)
        for key in [key for key in configs_of(self) if key[0] == name and qualifier in (None, key[1])]:
            del configs_of(self)[key]

    def delete_alias(self: Any, name: str, function_name: str) -> None:
        original_delete_alias(self, name, function_name)
        configs_of(self).pop((_bare_name(function_name), name), None)

    backend.delete_function = delete_function  # type: ignore[method-assign]
    backend.delete_alias = delete_alias  # type: ignore[method-assign]
    _applied = True


def _bare_name(name_or_arn: str) -> str:
    return name_or_arn.split(":function:")[-1].split(":")[0]


# --- the data plane: keeping environments ready -------------------------------------------------------------


class ProvisionedKeeper:
    """Makes the pool hold what the configs in moto ask for, and writes back how many are ready."""

    def __init__(self, pool: EnvironmentPool) -> None:
        self.pool = pool
        self._seen: int | None = None
        self._coming_up = False  # a config was still IN_PROGRESS after the last round

    def _configs(self) -> list[tuple[str, str, ProvisionedConfig]]:
        found = []
        for account_id in list(lambda_backends.keys()):
            for region, backend in list(lambda_backends[account_id].items()):
                for (name, _q), config in list(configs_of(backend).items()):
                    if name not in backend._lambdas._functions:  # its function is gone: so is the config
                        del configs_of(backend)[(name, config.qualifier)]
                        continue
                    found.append((account_id, region, config))
        return found

    def due(self) -> bool:
        """Whether something may have changed since the last round (or a config is still coming up).

        A config's status changes only in a round or through the API (which changes the control plane's
        revision), so moto's backends are read once a round, not on every tick.
        """
        return self._seen != control_plane_revision() or self._coming_up

    async def reconcile(self) -> None:
        self._seen = control_plane_revision()
        keep: set[tuple[str, str, str]] = set()
        for account_id, region, config in self._configs():
            try:
                spec = resolve_function(account_id, region, config.function_name, config.qualifier).spec
            except Exception:
                continue
            keep.add(spec.pool_key)
            try:
                ready = await self.pool.provision(spec, config.requested)
            except Exception as exc:  # an environment that cannot start: the config says so
                log.info("provisioned concurrency for %s:%s failed: %s", config.function_name, config.qualifier, exc)
                config.status, config.reason = "FAILED", f"FUNCTION_ERROR_INIT_FAILURE: {exc}"
                continue
            config.allocated = min(ready, config.requested)
            if config.allocated >= config.requested and config.status != "READY":
                config.status, config.reason, config.last_modified = "READY", "", _now()
        await self.pool.release_provisioned(keep)

    async def run(self, interval: float = 0.2) -> None:
        while True:
            if self.due():
                try:
                    await self.reconcile()
                except Exception:
                    log.exception("provisioned concurrency round failed")
                finally:
                    self._coming_up = any(c.status == "IN_PROGRESS" for *_, c in self._configs())
            await asyncio.sleep(interval)
