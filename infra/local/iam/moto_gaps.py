"""Where moto 5.2's STS differs from AWS for the learner's own credentials, corrected in one place.

- ``GetCallerIdentity`` signed by the account root's keys (the learner's local credentials, which stand for
  the local cloud's account root): AWS answers ``Arn`` ``arn:aws:iam::<account>:root`` and ``UserId`` the
  account id (STS API reference, GetCallerIdentity: ``UserId`` is the ``aws:userid`` of the IAM User Guide's
  Principal table, the account id for the root). moto answered ``arn:aws:sts::<account>:user/moto`` with a
  made-up user id, because no IAM user owns those keys.
"""

from __future__ import annotations

from typing import Any

from .identity import find_identity

_applied = False


def _get_caller_identity(self: Any, access_key_id: str, region: str) -> tuple[str, str, str]:
    identity = find_identity(access_key_id)
    if identity is not None and identity.is_root:
        return identity.account_id, identity.arn, identity.account_id
    return _original(self, access_key_id, region)


_original: Any = None


def apply() -> None:
    """Install the correction (idempotent)."""
    global _applied, _original
    if _applied:
        return
    from moto.sts.models import STSBackend

    _original = STSBackend.get_caller_identity
    STSBackend.get_caller_identity = _get_caller_identity  # type: ignore[method-assign]
    _applied = True
