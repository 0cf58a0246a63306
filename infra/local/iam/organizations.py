"""Which AWS Organization an account belongs to, read from moto's Organizations state (moto holds it).

Emulates (IAM User Guide, "AWS global condition context keys": ``aws:PrincipalOrgID`` is the identifier of the
organization the requesting principal's account belongs to, present only when it belongs to one): a caller's
account that created an organization or was created or invited into one belongs to it.
"""

from __future__ import annotations


def organization_of(account_id: str) -> str | None:
    """The id (``o-...``) of the organization ``account_id`` belongs to, or None."""
    from moto.organizations.models import organizations_backends

    owner = organizations_backends.master_accounts.get(account_id)  # members: (management account, partition)
    if owner is not None:
        organization = organizations_backends[owner[0]][owner[1]].org
        return organization.id if organization is not None else None
    if account_id not in organizations_backends:
        return None
    for backend in list(organizations_backends[account_id].values()):  # the management account itself
        if backend.org is not None and backend.org.master_account_id == account_id:
            return str(backend.org.id)
    return None
