"""The credentials an execution environment gets: a session of the function's execution role.

Emulates (Lambda Developer Guide, "Defining Lambda function permissions with an execution role" and
"Defined runtime environment variables"): Lambda assumes the function's execution role and gives the
environment that session's ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN``; the
session's ARN is ``arn:aws:sts::<account>:assumed-role/<role>/<function>``. The session comes from moto's
STS, so the local cloud accepts it like any STS session (``iam/identity.py``) and never hands a function
the learner's own credentials.

Choice: one session per environment, valid for 12 hours (STS's longest for a role); Lambda refreshes its
sessions while an environment lives, and an idle local environment is retired long before then.
"""

from __future__ import annotations

from .function_spec import FunctionSpec

SESSION_SECONDS = 12 * 3600


def role_session_environment(spec: FunctionSpec) -> dict[str, str]:
    """The credential variables of a new environment of ``spec``: a fresh session of its execution role."""
    from moto.sts.models import sts_backends

    session = sts_backends[spec.account_id]["aws"].assume_role(
        region_name=spec.region,
        role_session_name=spec.function_name[:64],
        role_arn=spec.role,
        policy=None,
        duration=SESSION_SECONDS,
        external_id=None,
    )
    return {
        "AWS_ACCESS_KEY_ID": session.access_key_id,
        "AWS_SECRET_ACCESS_KEY": session.secret_access_key,
        "AWS_SESSION_TOKEN": session.session_token,
    }
