"""Who may call a Function URL: AuthType NONE and AWS_IAM, as Lambda decides it.

Emulates (docs.aws.amazon.com/lambda/latest/dg/urls-auth.html; aws-behaviour.md §3-4):
- NONE: the function's resource policy must allow anyone (``Principal: "*"``) ``lambda:InvokeFunctionUrl``
  with ``lambda:FunctionUrlAuthType`` = NONE and, since October 2025, ``lambda:InvokeFunction`` with
  ``lambda:InvokedViaFunctionUrl`` = true. ``legacy`` accepts the first alone, as accounts that had Function URLs
  before October 2025 did under a temporary exception that AWS ended on 2026-11-01 (AWS Health notice: "update
  them to align with the new authorization model by November 1, 2026"): on AWS both are required now.
- AWS_IAM: the request must carry a valid SigV4 signature for service ``lambda`` in the URL's region
  (``iam/sigv4.py``) by a known identity (``iam/identity.py``); then, for each of the two actions, an explicit
  Deny in the caller's identity policies or the resource policy refuses; otherwise a caller of the
  function's own account is allowed by either its identity policies or the resource policy, and a caller
  of another account needs both. A resource-policy statement whose principal is an account (or its root)
  does not grant on its own: it delegates to that account's identity policies (IAM's rule). A caller whose
  account belongs to an AWS Organization brings ``aws:PrincipalOrgID`` (``iam/organizations.py``), so
  ``AddPermission(PrincipalOrgID=...)`` statements allow that organization's callers and no one else; the event's
  ``authorizer.iam.principalOrgId`` is that id (null outside an organization).
- the 403 bodies: unsigned ``{"Message":"Forbidden"}``; a signature that does not match (or an unsigned
  payload) the "signature we calculated" message; an unknown key or token "The security token included in
  the request is invalid."; not allowed "Forbidden. For troubleshooting ..."; an expired request "Signature
  expired: ..." (inferred: the SigV4 message other services give).

The caller evaluated here is any ``iam_policy.Caller``, so a service principal (CloudFront's, signing for
Origin Access Control) is just another caller: the resource policy must allow ``cloudfront.amazonaws.com``
both actions, and its ``AWS:SourceArn`` condition must name the distribution that signed
(private-content-restricting-access-to-lambda.html; aws-behaviour.md §7).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..http.types import HttpResponse, json_error
from ..iam.identity import Identity
from ..iam.organizations import organization_of
from ..iam.policy import AuthzRequest, Caller, Decision, evaluate, evaluate_identity
from ..iam.sigv4 import SignatureError
from ..lambda_.moto_lambda import UrlTarget

FORBIDDEN_POLICY = (
    b'{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: '
    b'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}'
)
FORBIDDEN_UNSIGNED = b'{"Message":"Forbidden"}'
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."


def _requests(
    target: UrlTarget, auth_type: str, legacy: bool, extra: tuple[tuple[str, str], ...] = ()
) -> list[AuthzRequest]:
    # aws:RequestedRegion is in every request's context (reference_policies_condition-keys.html): the function's
    # region. Without it a boundary's "StringNotEquals aws:RequestedRegion" deny would match every URL call.
    region = target.function_arn.split(":")[3]
    base = {"lambda:FunctionUrlAuthType": auth_type, "aws:RequestedRegion": region, **dict(extra)}
    checks = [AuthzRequest("lambda:InvokeFunctionUrl", target.function_arn, base)]
    if not legacy:
        checks.append(
            AuthzRequest("lambda:InvokeFunction", target.function_arn, {**base, "lambda:InvokedViaFunctionUrl": "true"})
        )
    return checks


def public_url_allows(target: UrlTarget, *, legacy: bool = False) -> bool:
    """AuthType NONE: does the resource policy let anyone call this URL?"""
    statements = target.function.policy_statements
    return all(evaluate(statements, r, Caller.anonymous()) is Decision.ALLOW for r in _requests(target, "NONE", legacy))


def iam_url_allows(identity: Identity, target: UrlTarget, *, legacy: bool = False) -> bool:
    """AuthType AWS_IAM: may this (already authenticated) identity call this URL?

    A service principal (``identity.service``) has no identity policies: the resource policy alone must
    allow it, with the ``aws:SourceArn``/``aws:SourceAccount`` it brings as condition keys.
    """
    if identity.service:
        caller = Caller.service(identity.service)
        return all(
            evaluate(target.function.policy_statements, request, caller) is Decision.ALLOW
            for request in _requests(target, "AWS_IAM", legacy, identity.source)
        )
    same_account = identity.account_id == target.account_id
    # Same account: an account principal in the resource policy only delegates to identity policies.
    caller = Caller("aws", identity.arn, "" if same_account else identity.account_id)
    organization = organization_of(identity.account_id)
    extra = (("aws:PrincipalOrgID", organization),) if organization else ()
    for request in _requests(target, "AWS_IAM", legacy, extra):
        by_resource = evaluate(target.function.policy_statements, request, caller)
        # The identity's policies within its permissions boundary (evaluate_identity): both must allow, either
        # may deny. reference_policies_evaluation-logic.html: a boundary's implicit deny does not limit what a
        # resource policy grants the user directly (same account, where an account principal only delegates).
        by_identity = (
            Decision.ALLOW
            if identity.is_root
            else evaluate_identity(identity.statements, identity.boundary, request).decision
        )
        if Decision.DENY in (by_resource, by_identity):
            return False
        if same_account:
            if Decision.ALLOW not in (by_resource, by_identity):
                return False
        elif not (by_resource is Decision.ALLOW and by_identity is Decision.ALLOW):
            return False
    return True


def authorizer_block(identity: Identity) -> dict[str, Any]:
    """``requestContext.authorizer`` for an AWS_IAM URL (aws-behaviour.md §1)."""
    return {
        "iam": {
            "accessKey": identity.credential.access_key,
            "accountId": identity.account_id,
            "callerId": identity.user_id,
            "cognitoIdentity": None,
            "principalOrgId": organization_of(identity.account_id),
            "userArn": identity.arn,
            "userId": identity.user_id,
        }
    }


def signature_error_response(error: SignatureError) -> HttpResponse:
    """The 403 a Function URL answers for a request whose signature it refuses."""
    if error.reason == SignatureError.MISSING:
        return json_error(403, FORBIDDEN_UNSIGNED, "AccessDeniedException")
    if error.reason == SignatureError.UNKNOWN_KEY:
        message, error_type = INVALID_TOKEN, "UnrecognizedClientException"
    elif error.reason in (SignatureError.EXPIRED, SignatureError.MALFORMED):
        message, error_type = error.detail, "InvalidSignatureException"
    else:
        message, error_type = SIGNATURE_MISMATCH, "InvalidSignatureException"
    return json_error(403, json.dumps({"message": message}).encode(), error_type)


@dataclass(frozen=True)
class Authorized:
    """A request that may go on: the event's ``accountId`` and ``authorizer``."""

    account_id: str = "anonymous"
    authorizer: dict[str, Any] | None = None
