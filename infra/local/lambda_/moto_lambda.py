"""Read what the local cloud needs from moto's Lambda state (moto holds it; nothing is copied)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.awslambda.models import lambda_backends

from .aliases import alias_weights
from .function_configuration import active_at
from .function_spec import FunctionSpec, spec_from_moto


def backend(account_id: str, region: str) -> Any:
    return lambda_backends[account_id][region]


_writes = [0]


def control_plane_changed() -> None:
    """Say that moto's state may have changed: ``MotoBridge`` calls it after every AWS API request that is not
    a GET or HEAD (any service: a function's answer can depend on IAM too), and so must any code of the kit that
    changes moto's Lambda state outside a request. It makes every cached lookup below be read from moto again."""
    _writes[0] += 1


def control_plane_revision() -> int:
    return _writes[0]


def code_in_use() -> set[str]:
    """The CodeSha256 of every function version ($LATEST and published) in every account and region."""
    shas: set[str] = set()
    for account_id in list(lambda_backends.keys()):
        for be in list(lambda_backends[account_id].values()):
            for group in list(be._lambdas._functions.values()):
                for function in [group["latest"], *group["versions"]]:
                    if getattr(function, "code_sha_256", None):
                        shas.add(function.code_sha_256)
    return shas


@dataclass(frozen=True)
class ResolvedFunction:
    """A function as one invocation sees it: the version that runs and the ARN it was invoked by."""

    spec: FunctionSpec
    invoked_arn: str
    policy_statements: tuple[dict[str, Any], ...]
    policy_revision: str = ""  # changes whenever the resource policy does ("" = unknown)
    #: A weighted alias's additional version(s) and their weights (``aliases.alias_weights``): which version runs
    #: is drawn per invocation (``aliases.choose``), after this cache.
    routing: tuple[tuple[float, FunctionSpec], ...] = ()
    #: The ``time.monotonic()`` from which the version that runs is ``Active`` (``function_configuration``): a
    #: time, not a state, so that this cache (kept until the control plane changes) never hides the change.
    active_at: float = 0.0

    @property
    def pending(self) -> bool:
        """Whether the function is still being created: one comparison per invocation, no moto lookup."""
        return self.active_at > time.monotonic()


def resolve_function(account_id: str, region: str, name_or_arn: str, qualifier: str | None) -> ResolvedFunction:
    """Resolve a name/ARN and qualifier (version or alias) like Lambda; raises moto's 404 error.

    Remembered until the control plane changes (``control_plane_changed``): a warm invocation then costs one
    dictionary lookup instead of moto's name parsing, two ``get_function`` calls and a new ``FunctionSpec``.
    A failed lookup is not remembered.
    """
    key = (account_id, region, name_or_arn, qualifier)
    revision = _writes[0]
    hit = _resolved.get(key)
    if hit is not None and hit[0] == revision:
        return hit[1]
    resolved = _resolve_from_moto(account_id, region, name_or_arn, qualifier)
    if len(_resolved) >= _RESOLVED_MAX:
        _resolved.clear()
    _resolved[key] = (revision, resolved)
    return resolved


_RESOLVED_MAX = 4096
_resolved: dict[tuple[str, str, str, str | None], tuple[int, ResolvedFunction]] = {}


def _resolve_from_moto(account_id: str, region: str, name_or_arn: str, qualifier: str | None) -> ResolvedFunction:
    be = backend(account_id, region)
    function = be.get_function(name_or_arn, qualifier)
    base = be.get_function(function.function_name)
    if ":function:" in name_or_arn and name_or_arn.count(":") == 7 and not qualifier:
        qualifier = name_or_arn.rsplit(":", 1)[1]
    base_arn = base.function_arn
    invoked = f"{base_arn}:{qualifier}" if qualifier else base_arn
    spec = spec_from_moto(function, reserved_concurrency=base.reserved_concurrency)
    routing = alias_weights(be, base.function_name, qualifier, base.reserved_concurrency)
    statements = tuple(function.policy.statements)
    return ResolvedFunction(spec, invoked, statements, str(function.policy.revision), routing, active_at(function))


@dataclass(frozen=True)
class UrlTarget:
    """A Function URL and the function behind it."""

    url_id: str
    region: str
    account_id: str
    auth_type: str
    invoke_mode: str
    cors: dict[str, Any] | None
    function_arn: str  # qualified when the URL belongs to an alias
    function: ResolvedFunction


class UrlRegistry:
    """Finds a Function URL by its url-id among every account and region moto holds, in constant time.

    moto holds the URLs; the url-id -> location index is a cache of them, rebuilt only when moto's URL
    revision (``moto_gaps.url_revision``, bumped by the kit's CreateFunctionUrlConfig, DeleteFunctionUrlConfig
    and DeleteFunction) has changed since it was built, and checked against moto on every hit. An unknown
    url-id therefore costs one dictionary lookup, not a scan of every function.
    """

    def __init__(self, revision: Callable[[], int] | None = None) -> None:
        from . import moto_gaps

        moto_gaps.apply()  # the kit's URL operations, which bump the revision
        self._revision = revision or moto_gaps.url_revision
        self._index: dict[str, tuple[str, str, str, str | None]] = {}
        self._built_at: int | None = None
        self._targets: dict[str, tuple[tuple[int, int], UrlTarget | None]] = {}

    def _holders(self, be: Any) -> list[tuple[Any, str | None]]:
        found: list[tuple[Any, str | None]] = []
        for name, entry in list(be._lambdas._functions.items()):
            latest = entry.get("latest")
            if latest is not None and getattr(latest, "url_config", None) is not None:
                found.append((latest.url_config, None))
            try:
                aliases = be._lambdas._get_function_aliases(name)
            except Exception:
                continue
            for alias_name, alias in list(aliases.items()):
                if getattr(alias, "url_config", None) is not None:
                    found.append((alias.url_config, alias_name))
        return found

    def _rebuild(self) -> None:
        index: dict[str, tuple[str, str, str, str | None]] = {}
        for account_id in list(lambda_backends.keys()):
            for region, be in list(lambda_backends[account_id].items()):
                for config, qualifier in self._holders(be):
                    url_id = config.url.split("//", 1)[1].split(".", 1)[0]
                    index[url_id] = (account_id, region, config.function.function_name, qualifier)
        self._index = index

    def _current(self) -> dict[str, tuple[str, str, str, str | None]]:
        revision = self._revision()  # read first: a change during the rebuild makes the next lookup rebuild
        if revision != self._built_at:
            self._rebuild()
            self._built_at = revision
        return self._index

    def lookup(self, url_id: str, region: str) -> UrlTarget | None:
        """The URL, remembered (per url-id) until the control plane changes; an unknown one costs one lookup."""
        revision = (_writes[0], self._revision())
        hit = self._targets.get(url_id)
        if hit is not None and hit[0] == revision:
            target = hit[1]
            return target if target is not None and target.region == region else None
        location = self._current().get(url_id)
        if location is None or location[1] != region:
            return None
        target = self._load(url_id, *location)
        if len(self._targets) >= _RESOLVED_MAX:
            self._targets.clear()
        self._targets[url_id] = (revision, target)
        return target

    def _load(self, url_id: str, account_id: str, region: str, name: str, qualifier: str | None) -> UrlTarget | None:
        try:
            be = backend(account_id, region)
            config = be.get_function_url_config(name, qualifier)
            if not config.url.split("//", 1)[1].startswith(url_id + "."):
                return None
            resolved = resolve_function(account_id, region, name, qualifier)
        except Exception:
            return None
        return UrlTarget(
            url_id=url_id,
            region=region,
            account_id=account_id,
            auth_type=config.auth_type,
            invoke_mode=config.invoke_mode,
            cors=config.cors,
            function_arn=config.function_arn,
            function=resolved,
        )
