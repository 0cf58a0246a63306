"""Where moto 5.2's STS differs from AWS for the learner's own credentials, corrected in one place.

- ``GetCallerIdentity`` signed by the account root's keys (the learner's local credentials, which stand for
  the local cloud's account root): AWS answers ``Arn`` ``arn:aws:iam::<account>:root`` and ``UserId`` the
  account id (STS API reference, GetCallerIdentity: ``UserId`` is the ``aws:userid`` of the IAM User Guide's
  Principal table, the account id for the root). moto answered ``arn:aws:sts::<account>:user/moto`` with a
  made-up user id, because no IAM user owns those keys.
- Permissions boundaries of IAM users (IAM API reference: ``CreateUser`` takes ``PermissionsBoundary``;
  ``PutUserPermissionsBoundary`` and ``DeleteUserPermissionsBoundary``; ``GetUser`` shows it as
  ``PermissionsBoundary`` ``{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn}``).
  moto 5.2 keeps them for roles only: it dropped a user's boundary and did not know the two actions.
  The boundary is kept on moto's user as ``permissions_boundary_arn`` (the name moto's roles use);
  ``identity.py`` reads it.
  Not emulated: IAM's refusal of a boundary ARN that names no policy.
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
_original_create_user: Any = None


def _set_boundary(user: Any, arn: str | None) -> None:
    user.permissions_boundary_arn = arn or None
    shown = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}
    user.permissions_boundary = shown if arn else None


def _create_user(self: Any) -> Any:
    result = _original_create_user(self)
    _set_boundary(self.backend.get_user(self._get_param("UserName")), self._get_param("PermissionsBoundary"))
    return result


def _put_user_permissions_boundary(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    _set_boundary(self.backend.get_user(self._get_param("UserName")), self._get_param("PermissionsBoundary"))
    return EmptyResult()


def _delete_user_permissions_boundary(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    _set_boundary(self.backend.get_user(self._get_param("UserName")), None)
    return EmptyResult()


def apply() -> None:
    """Install the correction (idempotent)."""
    global _applied, _original, _original_create_user
    if _applied:
        return
    from moto.iam.responses import IamResponse
    from moto.sts.models import STSBackend

    _original_create_user = IamResponse.create_user
    IamResponse.create_user = _create_user  # type: ignore[method-assign]
    IamResponse.put_user_permissions_boundary = _put_user_permissions_boundary  # type: ignore[attr-defined]
    IamResponse.delete_user_permissions_boundary = _delete_user_permissions_boundary  # type: ignore[attr-defined]

    _original = STSBackend.get_caller_identity
    STSBackend.get_caller_identity = _get_caller_identity  # type: ignore[method-assign]
    _applied = True
