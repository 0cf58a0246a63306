"""What one execution environment is built from: a snapshot of a function's configuration in moto."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

#: A request or response over this many bytes is refused (Lambda quotas: 6 MB, synchronous).
MAX_SYNC_PAYLOAD = 6_291_456
#: The Runtime API refuses a buffered response over this many bytes (AWS: 6 MiB + 100, validated).
MAX_RESPONSE_PAYLOAD = 6_291_556


@dataclass(frozen=True)
class FunctionSpec:
    """The parts of a function version's configuration that shape its execution environments.

    ``revision`` changes whenever the code or the configuration changes, so an environment built for
    one revision is never reused for another (Lambda creates new environments after an update).
    """

    account_id: str
    region: str
    function_name: str
    function_arn: str  # unqualified
    version: str  # "$LATEST" or a published version number
    handler: str
    runtime: str
    memory_size: int
    timeout: float
    environment: tuple[tuple[str, str], ...]
    code_sha256: str
    revision: str
    reserved_concurrency: int | None
    code: bytes = field(repr=False, compare=False, default=b"")
    role: str = ""  # the execution role's ARN: its session's credentials are the environment's
    #: ``EphemeralStorage.Size``: the MB of the environment's ``/tmp`` (Lambda's default and minimum: 512).
    ephemeral_storage_mb: int = 512

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def pool_key(self) -> tuple[str, str, str]:
        """Environments are shared only between invocations of the same function version and revision."""
        return (self.function_arn, self.version, self.revision)


def spec_from_moto(function: Any, *, reserved_concurrency: Any = None) -> FunctionSpec:
    """Snapshot moto's ``LambdaFunction`` (a version or $LATEST) as a ``FunctionSpec``."""
    env = function.environment_vars or {}
    config = {
        "handler": function.handler,
        "runtime": function.run_time,
        "memory": function.memory_size,
        "ephemeral": getattr(function, "ephemeral_storage", 512),
        "timeout": function.timeout,
        "env": env,
        "layers": [layer.get("Arn") for layer in function.layers],
        "code": function.code_sha_256,
        "modified": function.last_modified,
        "role": function.role,
    }
    revision = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]
    reserved = reserved_concurrency if reserved_concurrency is not None else function.reserved_concurrency
    return FunctionSpec(
        account_id=function.account_id,
        region=function.region,
        function_name=function.function_name,
        function_arn=(
            f"arn:{function.partition}:lambda:{function.region}:{function.account_id}:function:{function.function_name}"
        ),
        version=str(function.version),
        handler=function.handler or "",
        runtime=function.run_time or "",
        memory_size=int(function.memory_size),
        timeout=float(function.timeout),
        environment=tuple(sorted((str(k), str(v)) for k, v in env.items())),
        code_sha256=function.code_sha_256,
        revision=revision,
        reserved_concurrency=None if reserved in (None, "") else int(reserved),
        code=function.code_bytes,
        role=str(function.role or ""),
        ephemeral_storage_mb=int(getattr(function, "ephemeral_storage", None) or 512),
    )
