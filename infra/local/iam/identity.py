"""Who signed a request: an access key as moto's IAM and STS know it, with the caller's own policies.

Emulates: IAM users' access keys (active ones), STS temporary credentials (``AssumeRole``: the session
token must come with them, and they expire), and the learner's own local credentials (``credentials.py``),
which stand for the default account's root user (the notebooks use them; handlers get role sessions).
An identity carries the identity-based policies that apply to it: a user's attached and inline policies
and its groups'; a role's attached and inline policies for its sessions; and the statements of the user's or
role's permissions boundary, when one is set (a boundary that names a policy that is gone allows nothing).

A service principal signing for a resource of the caller's account (CloudFront signing an origin request
for Origin Access Control) is an identity too: ``register_service_session`` gives it temporary credentials
that name the service and the ``aws:SourceArn`` / ``aws:SourceAccount`` it acts for; such an identity
has no identity policies, only the resource policy can allow it.

Not emulated: session policies, MFA, ``GetSessionToken``/``GetFederationToken``
credentials.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from ..http.types import HttpRequest
from .credentials import LocalCredentials
from .sigv4 import Credential, parse_signature, verify


@dataclass(frozen=True)
class Identity:
    credential: Credential
    account_id: str
    arn: str  # user ARN, assumed-role session ARN, or the account root
    user_id: str  # what AWS calls userId / callerId
    is_root: bool = False
    statements: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    service: str = ""  # a service principal such as "cloudfront.amazonaws.com"; "" for IAM identities
    source: tuple[tuple[str, str], ...] = ()  # the global condition keys a service caller brings
    boundary: tuple[dict[str, Any], ...] | None = None  # the permissions boundary's statements; None: no boundary

    @property
    def is_user(self) -> bool:
        """An IAM user's access key (not the account root, a role session or a service)."""
        return not self.is_root and not self.service and ":user/" in self.arn


_service_sessions: dict[str, Identity] = {}
_account_root: list[Identity] = []  # the learner's local credentials, once the local cloud has read them


def set_account_root(credentials: LocalCredentials) -> None:
    """Make the learner's local credentials the default account's root user."""
    _account_root[:] = [
        Identity(
            Credential(credentials.access_key_id, credentials.secret_access_key),
            DEFAULT_ACCOUNT_ID,
            f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:root",
            DEFAULT_ACCOUNT_ID,
            is_root=True,
        )
    ]


def register_service_session(identity: Identity) -> None:
    """Make a service principal's temporary credentials known to request verification."""
    _service_sessions[identity.credential.access_key] = identity


def _document(policy: Any) -> Any:
    for version in getattr(policy, "versions", []):
        if getattr(version, "is_default", False) or getattr(version, "is_default_version", False):
            return version.document
    return getattr(policy, "document", None)


def _statements(documents: list[Any]) -> tuple[dict[str, Any], ...]:
    out: list[dict[str, Any]] = []
    for document in documents:
        if document is None:
            continue
        data = json.loads(document) if isinstance(document, str) else document
        statements = data.get("Statement", [])
        out.extend(statements if isinstance(statements, list) else [statements])
    return tuple(out)


def _holder_documents(holder: Any) -> list[Any]:
    return [_document(p) for p in holder.managed_policies.values()] + list(holder.policies.values())


def _boundary(iam: Any, arn: str | None) -> tuple[dict[str, Any], ...] | None:
    if not arn:
        return None
    try:
        return _statements([_document(iam.get_policy(arn))])
    except Exception:  # the boundary policy is gone (IAM refuses to delete one in use; moto does not)
        return ()


def find_identity(access_key: str) -> Identity | None:
    """The identity behind ``access_key``, or None when no one has that key."""
    service = _service_sessions.get(access_key)
    if service is not None:
        return service
    if _account_root and _account_root[0].credential.access_key == access_key:
        return _account_root[0]
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account_id in list(iam_backends.keys()):
        iam = iam_backends[account_id].get("aws")
        if iam is None:
            continue
        key = iam.access_keys.get(access_key)
        if key is None or getattr(key, "status", "Active") != "Active":
            continue
        if key.user_name:
            user = iam.get_user(key.user_name)
            documents = _holder_documents(user)
            for group in iam.get_groups_for_user(user.name):
                documents += _holder_documents(group)
            return Identity(
                Credential(access_key, key.secret_access_key),
                account_id,
                user.arn,
                user.id,
                statements=_statements(documents),
                boundary=_boundary(iam, getattr(user, "permissions_boundary_arn", None)),
            )
        sts = sts_backends[account_id].get("aws")
        session = sts.get_assumed_role_from_access_key(access_key) if sts is not None else None
        if session is None:
            return None
        expiration = session.expiration
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=UTC)
        if expiration < datetime.now(UTC):
            return None
        documents = []
        boundary: tuple[dict[str, Any], ...] | None = ()
        try:
            role = iam.get_role_by_arn(session.role_arn)
            documents = _holder_documents(role)
            boundary = _boundary(iam, role.permissions_boundary_arn)
        except Exception:  # the role was deleted: its sessions keep no permissions
            documents = []
        return Identity(
            Credential(access_key, session.secret_access_key, session.session_token),
            account_id,
            session.arn,
            session.user_id,
            statements=_statements(documents),
            boundary=boundary,
        )
    return None


def signed_by(
    request: HttpRequest,
    *,
    service: str | None = None,
    region: str | None = None,
    identities: Callable[[str], Identity | None] = find_identity,
) -> Identity:
    """Who signed ``request`` with SigV4 for ``service`` in ``region`` (default: whatever its scope names).

    Raises ``SignatureError`` when no one (known to ``identities``) did.
    """
    found: list[Identity] = []

    def lookup(access_key: str) -> Credential | None:
        identity = identities(access_key)
        if identity is not None:
            found.append(identity)
        return identity.credential if identity is not None else None

    if service is None or region is None:
        parts = parse_signature(request.method, request.query, request.headers)
        service, region = service or parts.service, region or parts.region
    verify(
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body,
        lookup=lookup,
        service=service,
        region=region,
    )
    return found[0]
