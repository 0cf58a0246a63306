"""The learner's own local credentials: the key pair that stands for the local cloud's account root.

A local cloud creates them on its first start in its state folder (``credentials.json``, folder ``0700``,
file ``0600``, written once and never replaced) and accepts no AWS API call that is not SigV4-signed by
them, by an active access key of an IAM user, or by STS session credentials (``api_auth.py``). The kit's
clients read them from the same folder; ``python -m infra.local env`` prints them as ``AWS_*`` exports for
the AWS CLI or plain boto3. Handlers never see them: they get their execution role's session.

Shaped like AWS's (an ``AKIA`` key id of 20 characters from AWS's alphabet, a 40-character secret) so
every SDK accepts them; nothing outside this machine knows them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

CREDENTIALS_FILE = "credentials.json"
_KEY_ALPHABET = string.ascii_uppercase + "234567"  # AWS access key ids are base32-like
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
_PROOF_CONTEXT = b"lambda-url-kit local cloud proof\n"


@dataclass(frozen=True)
class LocalCredentials:
    access_key_id: str
    secret_access_key: str


def new_credentials() -> LocalCredentials:
    key_id = "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    return LocalCredentials(key_id, secret)


def private_folder(directory: Path) -> Path:
    """Create ``directory`` (``0700``) or tighten it to ``0700``: only its owner may list or enter it."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and (directory.stat().st_mode & 0o077):
        os.chmod(directory, 0o700)
    return directory


def load(directory: Path) -> LocalCredentials | None:
    """The credentials kept in ``directory``, or ``None`` if there are none (yet) or they cannot be read."""
    try:
        data = json.loads((directory / CREDENTIALS_FILE).read_text())
        return LocalCredentials(str(data["aws_access_key_id"]), str(data["aws_secret_access_key"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_or_create(directory: Path) -> LocalCredentials:
    """The learner's credentials, created on first use (a second creator loses the race and reads the first's)."""
    found = load(directory)
    if found is not None:
        return found
    private_folder(directory)
    created = new_credentials()
    path = directory / CREDENTIALS_FILE
    payload = json.dumps(
        {"aws_access_key_id": created.access_key_id, "aws_secret_access_key": created.secret_access_key}
    )
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(payload)
    found = load(directory)
    if found is None:
        raise OSError(f"could not read or create the local cloud's credentials in {path}")
    return found


def proof(secret: str, challenge: str) -> str:
    """What only a holder of ``secret`` can answer to ``challenge``: how the kit knows a server is its own."""
    return hmac.new(secret.encode(), _PROOF_CONTEXT + challenge.encode(), hashlib.sha256).hexdigest()
