"""Evaluate IAM policy statements (resource-based or identity-based) for one request.

Emulates the parts of IAM's evaluation logic the kit relies on
(docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit ``Deny`` wins over any ``Allow``; ``Action``/``NotAction`` and ``Resource``/``NotResource``
with ``*`` and ``?`` wildcards (actions case-insensitive); ``Principal`` as ``"*"``, an account id or
``:root`` ARN, a user/role ARN (a role also matches its assumed-role sessions) or a ``Service``; condition
operators ``String*``, ``Arn*``, ``Bool`` and ``Null`` with ``IfExists`` and the ``ForAnyValue``/``ForAllValues``
set qualifiers; condition keys are case-insensitive; a negated operator is true when its key is absent.

Permissions boundaries (reference_policies_evaluation-logic.html, "Evaluating identity-based policies with
permissions boundaries"; access_policies_boundaries.html): for an IAM user or role with a boundary, an action is
allowed only if both an identity-based policy and the boundary allow it, and an explicit Deny in either wins
(``evaluate_identity``).

Not emulated: ``NotPrincipal``, numeric/date/IP operators (a statement that uses one never matches: an
Allow never allows, a Deny never denies), policy variables, SCPs and session policies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"  # an explicit Deny matched
    NOT_ALLOWED = "not-allowed"  # nothing matched: the implicit deny


@dataclass(frozen=True)
class Caller:
    """Who makes a request. ``anonymous`` callers match only ``Principal: "*"``."""

    kind: str  # "anonymous" | "aws" | "service"
    arn: str = ""  # IAM user/role/assumed-role ARN, or the service name for kind="service"
    account_id: str = ""

    @classmethod
    def anonymous(cls) -> Caller:
        return cls("anonymous")

    @classmethod
    def service(cls, name: str) -> Caller:
        return cls("service", name)


@dataclass(frozen=True)
class AuthzRequest:
    """The action, the resource ARN and the condition keys of one request."""

    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        lkey = key.lower()
        for name, value in self.context.items():
            if name.lower() == lkey:
                return value if isinstance(value, list) else [value]
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike: each of the six colon-separated parts is matched on its own."""
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return False
    return all(_glob(p, v) for p, v in zip(p_parts, v_parts, strict=True))


def _role_of_session(arn: str) -> str | None:
    """``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`` -> ``arn:aws:iam::ACCT:role/ROLE``."""
    match = re.fullmatch(r"arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+", arn)
    if not match:
        return None
    partition, account, role = match.groups()
    return f"arn:{partition}:iam::{account}:role/{role}"


def principal_matches(principal: Any, caller: Caller) -> bool:
    """Does a statement's ``Principal`` name ``caller``?"""
    if principal == "*":
        return True
    if isinstance(principal, str):
        principal = {"AWS": principal}
    if not isinstance(principal, dict):
        return False
    if caller.kind == "service":
        return caller.arn in _as_list(principal.get("Service"))
    for entry in _as_list(principal.get("AWS")):
        if entry == "*":
            return True
        if caller.kind != "aws":
            continue
        if re.fullmatch(r"\d{12}", entry) or entry.endswith(":root"):
            account = entry if entry.isdigit() else entry.split(":")[4]
            if account == caller.account_id:
                return True
        elif entry == caller.arn or entry == _role_of_session(caller.arn):
            return True
    return False


_STRING_OPS = {
    "stringequals": lambda p, v: p == v,
    "stringequalsignorecase": lambda p, v: p.lower() == v.lower(),
    "stringlike": lambda p, v: _glob(p, v),
    "arnequals": lambda p, v: p == v,
    "arnlike": _arn_like,
    "bool": lambda p, v: p.lower() == v.lower(),
}
_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
}


def _condition_holds(operator: str, key: str, expected: Any, request: AuthzRequest) -> bool:
    op = operator.lower()
    set_mode = ""
    if ":" in op:
        set_mode, op = op.split(":", 1)
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    actual = request.value(key)
    patterns = [str(p) for p in _as_list(expected)]
    if op == "null":
        want_absent = patterns and patterns[0].lower() == "true"
        return (actual is None) == bool(want_absent)
    negated = op in _NEGATED
    base = _NEGATED.get(op, op)
    compare = _STRING_OPS.get(base)
    if compare is None:
        return False  # unsupported operator: never matches (see module docstring)
    if actual is None:
        # IAM: an absent key satisfies IfExists, negated operators and ForAllValues (an empty set).
        return bool(if_exists or negated or set_mode == "forallvalues")

    def one(value: str) -> bool:
        hit = any(compare(p, value) for p in patterns)
        return not hit if negated else hit

    if set_mode == "forallvalues":
        return all(one(v) for v in actual)
    return any(one(v) for v in actual)


def _conditions_hold(block: Any, request: AuthzRequest) -> bool:
    if not block:
        return True
    if not isinstance(block, dict):
        return False
    return all(
        _condition_holds(operator, key, expected, request)
        for operator, pairs in block.items()
        for key, expected in (pairs or {}).items()
    )


def statement_applies(statement: Mapping[str, Any], request: AuthzRequest, caller: Caller | None) -> bool:
    """Does ``statement`` cover this request? ``caller=None`` skips the Principal (identity policies)."""
    if caller is not None and not principal_matches(statement.get("Principal"), caller):
        return False
    if "Action" in statement:
        if not any(_glob(a, request.action, ignore_case=True) for a in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(_glob(a, request.action, ignore_case=True) for a in _as_list(statement["NotAction"])):
            return False
    else:
        return False
    if "Resource" in statement:
        if not any(_glob(r, request.resource) for r in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement and any(_glob(r, request.resource) for r in _as_list(statement["NotResource"])):
        return False
    return _conditions_hold(statement.get("Condition"), request)


def evaluate(statements: Iterable[Mapping[str, Any]], request: AuthzRequest, caller: Caller | None = None) -> Decision:
    """Evaluate statements: Deny if any Deny applies, else Allow if any Allow applies."""
    allowed = False
    for statement in statements:
        if not statement_applies(statement, request, caller):
            continue
        if str(statement.get("Effect", "")).lower() == "deny":
            return Decision.DENY
        if str(statement.get("Effect", "")).lower() == "allow":
            allowed = True
    return Decision.ALLOW if allowed else Decision.NOT_ALLOWED


IDENTITY_POLICY = "identity-based policy"
PERMISSIONS_BOUNDARY = "permissions boundary"


@dataclass(frozen=True)
class IdentityDecision:
    """The decision for an IAM principal's own request, and which policy type decided a refusal."""

    decision: Decision
    policy_type: str = ""  # IDENTITY_POLICY or PERMISSIONS_BOUNDARY when refused; "" when allowed

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW


def evaluate_identity(
    statements: Iterable[Mapping[str, Any]],
    boundary: Iterable[Mapping[str, Any]] | None,
    request: AuthzRequest,
) -> IdentityDecision:
    """An IAM user's or role's request within its account, with no resource policy involved.

    Emulates reference_policies_evaluation-logic.html: an explicit Deny in the identity-based policies or in the
    permissions boundary refuses; otherwise the identity-based policies must allow, and so must the boundary
    when there is one (``boundary=None``: no boundary is set). The policy type named is the one AWS's message
    names ("... because no identity-based policy allows ...", "... with an explicit deny in a permissions
    boundary").
    """
    identity = evaluate(statements, request)
    limit = evaluate(boundary, request) if boundary is not None else Decision.ALLOW
    if identity is Decision.DENY:
        return IdentityDecision(Decision.DENY, IDENTITY_POLICY)
    if limit is Decision.DENY:
        return IdentityDecision(Decision.DENY, PERMISSIONS_BOUNDARY)
    if identity is not Decision.ALLOW:
        return IdentityDecision(Decision.NOT_ALLOWED, IDENTITY_POLICY)
    if limit is not Decision.ALLOW:
        return IdentityDecision(Decision.NOT_ALLOWED, PERMISSIONS_BOUNDARY)
    return IdentityDecision(Decision.ALLOW)
