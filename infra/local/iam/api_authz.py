"""May this IAM user make this AWS API call? Identity-based policies and the permissions boundary decide.

``api_auth.py`` says who signed a request; this says whether an IAM user's access key may do what it asks.
The learner's own local credentials stand for the account root and are never evaluated (a root user is not
limited by identity policies, IAM User Guide, id_root-user.html); role sessions (handlers' execution roles) and
service principals are not evaluated either. Choice: only IAM users are authorized here, the principals a
class hands out (``infra/classroom``), so nothing that worked for handlers before changes.

Emulates (IAM User Guide, reference_policies_evaluation-logic.html; the action, resource and condition keys
of each operation from the Service Authorization Reference, list_awslambda.html and list_awsidentityandaccess
management.html):

- the action is ``<service prefix>:<operation>``, except Lambda's ``Invoke`` and ``InvokeWithResponseStream``,
  which are ``lambda:InvokeFunction`` (list_awslambda.html: "InvokeFunction ... Grants permission to invoke a
  function"; ``InvokeWithResponseStream`` needs ``lambda:InvokeFunction`` too, per the API reference);
- Lambda operations that name a function (in the path, or ``FunctionName`` in the body of ``CreateFunction``)
  are evaluated on ``arn:aws:lambda:<region>:<account>:function:<name>`` (``:<qualifier>`` added when the
  request names one, as the qualified ARN of lambda-api-permissions-ref.html); ``TagResource``/``ListTags``/
  ``UntagResource`` on the ARN in their path. Condition keys: ``aws:RequestTag/<key>`` and ``aws:TagKeys``
  from ``Tags`` of ``CreateFunction``/``TagResource``; ``aws:ResourceTag/<key>`` from the function's tags
  (attribute-based-access-control.html); ``lambda:FunctionUrlAuthType`` from ``AuthType`` of the Function URL
  operations;
- ``CreateFunction`` and ``UpdateFunctionConfiguration`` with a ``Role`` also need ``iam:PassRole`` on that role,
  with ``iam:PassedToService`` = ``lambda.amazonaws.com`` (id_roles_use_passrole.html), as two authorizations;
- IAM operations that name a user, role or policy (``UserName``, ``RoleName``, ``PolicyArn``) are evaluated on
  that entity's ARN, with its path (an existing entity's as IAM keeps it; a new one's from ``Path``), and
  ``iam:PermissionsBoundary`` from ``PermissionsBoundary``, ``iam:PolicyARN`` from ``PolicyArn``,
  ``aws:RequestTag``/``aws:TagKeys`` from ``Tags``;
- CloudWatch Logs operations that name a log group are evaluated on the group's ARN
  (list_amazoncloudwatchlogs.html), so a learner reads the REPORT lines of their own functions only;
- CloudFront, ACM, Route 53 and API Gateway calls on their resources' ARNs with their tags and record names
  (``edge_resources.py``);
- ``sts:GetCallerIdentity`` is always allowed ("No permissions are required to perform this operation",
  STS API reference, GetCallerIdentity).

Choice: every other operation of every service is evaluated with resource ``*`` and no condition keys but
``aws:RequestedRegion``, so a policy that allows it on ``*`` allows it and one that does not refuses it (that is
what AWS does for the actions the Service Authorization Reference lists with no resource type, such as
``lambda:ListFunctions`` or ``cloudfront:ListDistributions``; for those that do have one, a policy scoped to ARNs
is stricter here than on AWS).

A refusal is 403 with ``AccessDeniedException`` (JSON protocols) or ``AccessDenied`` (query and XML) and AWS's
message, as seen from AWS (feast-dev/feast#2800, nficano/python-lambda#715): "User: <arn> is not authorized to
perform: <action> on resource: <resource> because no identity-based policy allows the <action> action", or
"... with an explicit deny in an identity-based policy"; the boundary's are "because no permissions boundary
allows the <action> action" and "with an explicit deny in a permissions boundary".

Not emulated: resource-based policies for these calls (a function's policy does not widen a user's API
access here), ``aws:PrincipalTag``, policy variables, groups' boundaries (IAM has none), and the Deny of
``iam:PassRole`` for a role in another account.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel

from ..aws_protocols import ApiError
from ..http.types import HttpRequest
from . import edge_resources
from .identity import Identity
from .policy import AuthzRequest, Decision, IdentityDecision, evaluate_identity

_ACTION_NAMES = {
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
    ("lambda", "InvokeAsync"): "InvokeFunction",
}
_ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}
_LAMBDA_TAG_PATH = re.compile(r"^/2017-03-31/tags/(.+)$")
_JSON_PROTOCOLS = {"json", "rest-json"}


@dataclass(frozen=True)
class Check:
    """One authorization a call needs: the action, the resource and the request's condition keys."""

    action: str
    resource: str
    context: dict[str, str | list[str]]


def action_name(service_prefix: str, operation: str) -> str:
    return f"{service_prefix}:{_ACTION_NAMES.get((service_prefix, operation), operation)}"


def _path_labels(operation: OperationModel, path: str) -> dict[str, str]:
    """The ``{Label}`` values of a REST operation's ``requestUri`` in ``path``."""
    template = operation.http["requestUri"].split("?")[0].rstrip("/") or "/"
    regex = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            name = piece.strip("{}+")
            regex += f"(?P<{name}>.+)" if piece.endswith("+}") else f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(piece)
    match = re.match("^" + regex + "/?$", path)
    return {k: unquote(v) for k, v in match.groupdict().items()} if match else {}


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _tag_keys(tags: dict[str, str]) -> dict[str, str | list[str]]:
    context: dict[str, str | list[str]] = {f"aws:RequestTag/{k}": str(v) for k, v in tags.items()}
    if tags:
        context["aws:TagKeys"] = list(tags)
    return context


def _function_tags(account_id: str, region: str, arn: str) -> dict[str, str]:
    """The tags of the function ``arn`` names (a qualified ARN is its function's), ``{}`` if it does not exist."""
    from moto.awslambda.models import lambda_backends

    unqualified = ":".join(arn.split(":")[:7])
    try:
        return dict(lambda_backends[account_id][region].list_tags(unqualified))
    except Exception:  # no such function (yet): no resource tags
        return {}


def _function_arn(name: str, account_id: str, region: str, qualifier: str | None) -> str:
    """A function's ARN from a name, a partial ARN (``123456789012:function:name``) or a full ARN."""
    if name.startswith("arn:"):
        parts = name.split(":")
        region, account_id, name = parts[3], parts[4], ":".join(parts[6:])
    elif ":function:" in name:
        account_id, _, name = name.partition(":function:")
    base, _, named_qualifier = name.partition(":")
    qualifier = qualifier or named_qualifier or None
    arn = f"arn:aws:lambda:{region}:{account_id}:function:{base}"
    return f"{arn}:{qualifier}" if qualifier else arn


def lambda_checks(operation: OperationModel, request: HttpRequest, account_id: str, region: str) -> list[Check]:
    """What a Lambda API call must be allowed to do (see the module docstring)."""
    name = operation.name
    action = action_name("lambda", name)
    base: dict[str, str | list[str]] = {"aws:RequestedRegion": region}
    body = _json_body(request) if request.body else {}
    query = dict(parse_qsl(request.query))
    tag_path = _LAMBDA_TAG_PATH.match(request.path)
    if tag_path is not None:
        arn = unquote(tag_path.group(1))
        context = {**base, **_tag_keys(body.get("Tags") or {})}
        context.update({f"aws:ResourceTag/{k}": v for k, v in _function_tags(account_id, region, arn).items()})
        return [Check(action, arn, context)]
    labels = _path_labels(operation, request.path)
    function = labels.get("FunctionName") or (body.get("FunctionName") if name == "CreateFunction" else None)
    if not function:
        return [Check(action, "*", base)]
    arn = _function_arn(str(function), account_id, region, query.get("Qualifier") or labels.get("Qualifier"))
    context = dict(base)
    if name == "CreateFunction":
        context.update(_tag_keys(body.get("Tags") or {}))
    else:
        context.update({f"aws:ResourceTag/{k}": v for k, v in _function_tags(account_id, region, arn).items()})
    if "AuthType" in body:
        context["lambda:FunctionUrlAuthType"] = str(body["AuthType"])
    checks = [Check(action, arn, context)]
    if name in ("CreateFunction", "UpdateFunctionConfiguration") and body.get("Role"):
        checks.append(Check("iam:PassRole", str(body["Role"]), {**base, "iam:PassedToService": "lambda.amazonaws.com"}))
    return checks


def _query_params(request: HttpRequest) -> dict[str, str]:
    params = dict(parse_qsl(request.query))
    if request.method == "POST":
        params.update(parse_qsl((request.body or b"").decode("utf-8", "replace")))
    return params


def _query_tags(params: dict[str, str]) -> dict[str, str]:
    tags = {}
    index = 1
    while f"Tags.member.{index}.Key" in params:
        tags[params[f"Tags.member.{index}.Key"]] = params.get(f"Tags.member.{index}.Value", "")
        index += 1
    return tags


def _iam_entity_arn(account_id: str, kind: str, name: str, path: str | None) -> str:
    """The ARN of IAM's ``kind`` (``user``/``role``) named ``name``: with its path if it exists, else ``path``."""
    from moto.iam.models import iam_backends

    iam = iam_backends[account_id]["global"]
    if kind == "user":
        found = iam.users.get(name)
    else:
        found = next((role for role in iam.roles.values() if role.name == name), None)
    if found is not None:
        return str(found.arn)
    prefix = path if path and path.startswith("/") and path.endswith("/") else "/"
    return f"arn:aws:iam::{account_id}:{kind}{prefix}{name}"


def iam_checks(operation: OperationModel, request: HttpRequest, account_id: str, region: str) -> list[Check]:
    """What an IAM API call must be allowed to do (see the module docstring)."""
    params = _query_params(request)
    action = action_name("iam", operation.name)
    context: dict[str, str | list[str]] = {"aws:RequestedRegion": region}
    context.update(_tag_keys(_query_tags(params)))
    if params.get("PermissionsBoundary"):
        context["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    if params.get("PolicyArn"):
        context["iam:PolicyARN"] = params["PolicyArn"]
    if params.get("UserName"):
        resource = _iam_entity_arn(account_id, "user", params["UserName"], params.get("Path"))
    elif params.get("RoleName"):
        resource = _iam_entity_arn(account_id, "role", params["RoleName"], params.get("Path"))
    elif params.get("PolicyArn"):
        resource = params["PolicyArn"]
    elif operation.name == "CreatePolicy" and params.get("PolicyName"):
        path = params.get("Path") or "/"
        resource = f"arn:aws:iam::{account_id}:policy{path}{params['PolicyName']}"
    else:
        resource = "*"
    return [Check(action, resource, context)]


def logs_checks(operation: OperationModel, request: HttpRequest, account_id: str, region: str) -> list[Check]:
    """What a CloudWatch Logs call must be allowed to do: an operation that names a log group
    (``logGroupName``, or ``logGroupIdentifier`` as a name or an ARN) is evaluated on that group's ARN,
    ``arn:aws:logs:<region>:<account>:log-group:<name>`` (list_amazoncloudwatchlogs.html, resource type
    ``log-group``); one that names none (``DescribeLogGroups``) on ``*``."""
    body = _json_body(request) if request.body else {}
    action = action_name("logs", operation.name)
    context: dict[str, str | list[str]] = {"aws:RequestedRegion": region}
    group = body.get("logGroupName") or body.get("logGroupIdentifier")
    if not isinstance(group, str) or not group:
        return [Check(action, "*", context)]
    if group.startswith("arn:"):
        resource = group.removesuffix(":*")
    else:
        resource = f"arn:aws:logs:{region}:{account_id}:log-group:{group}"
    return [Check(action, resource, context)]


def checks_for(
    service_prefix: str, operation: OperationModel, request: HttpRequest, account_id: str, region: str
) -> list[Check]:
    if service_prefix == "lambda":
        return lambda_checks(operation, request, account_id, region)
    if service_prefix == "iam":
        return iam_checks(operation, request, account_id, region)
    if service_prefix == "logs":
        return logs_checks(operation, request, account_id, region)
    base: dict[str, str | list[str]] = {"aws:RequestedRegion": region}
    action = action_name(service_prefix, operation.name)
    if service_prefix == "cloudfront":
        resource, context = edge_resources.cloudfront(
            operation.name, request.path, request.query, request.body, account_id
        )
        return [Check(action, resource, {**base, **context})]
    if service_prefix == "acm":
        resource, context = edge_resources.acm(operation.name, request.body, account_id, region)
        return [Check(action, resource, {**base, **context})]
    if service_prefix == "route53":
        resource, context = edge_resources.route53(operation.name, request.path, request.body)
        return [Check(action, resource, {**base, **context})]
    if service_prefix == "apigateway":
        action, resource, context = edge_resources.apigateway(
            request.method, request.path, request.body, account_id, region
        )
        return [Check(action, resource, {**base, **context})]
    return [Check(action, "*", base)]


def denial_message(user_arn: str, check: Check, decision: IdentityDecision) -> str:
    """AWS's message for a refused call (see the module docstring for where it is seen)."""
    head = f"User: {user_arn} is not authorized to perform: {check.action} on resource: {check.resource}"
    if decision.decision is Decision.DENY:
        article = "an" if decision.policy_type.startswith("identity") else "a"
        return f"{head} with an explicit deny in {article} {decision.policy_type}"
    return f"{head} because no {decision.policy_type} allows the {check.action} action"


def authorize(
    identity: Identity,
    service_prefix: str,
    operation: OperationModel | None,
    protocol: str,
    request: HttpRequest,
    region: str,
) -> ApiError | None:
    """``None`` if ``identity`` (an IAM user) may make this call, else the error AWS answers with."""
    if operation is None:
        return None  # not an operation of a known service: the bridge answers what is wrong with it
    for check in checks_for(service_prefix, operation, request, identity.account_id, region):
        if check.action in _ALWAYS_ALLOWED:
            continue
        decision = evaluate_identity(
            identity.statements, identity.boundary, AuthzRequest(check.action, check.resource, check.context)
        )
        if not decision.allowed:
            code = "AccessDeniedException" if protocol in _JSON_PROTOCOLS else "AccessDenied"
            return ApiError(403, code, denial_message(identity.arn, check, decision))
    return None
