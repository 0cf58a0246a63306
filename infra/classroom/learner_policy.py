"""The IAM policy documents of one learner in a class's shared account (pure functions, no AWS calls).

Each learner gets an IAM user whose inline policy allows what the notebooks do on what is the learner's, and
whose permissions boundary (a managed policy) caps it, so that even a policy the learner writes cannot reach
further (IAM User Guide, access_policies_boundaries.html; reference_policies_evaluation-logic.html: an action is
allowed only if both allow it).

What is the learner's, by name (resource ARNs from the Service Authorization Reference, list_awslambda.html,
list_awsidentityandaccessmanagementiam.html, list_amazoncloudwatchlogs.html):

- Lambda functions ``<learner>-*`` (``arn:aws:lambda:<region>:<account>:function:<learner>-*``, which covers their
  versions and aliases too), in the class's regions only;
- IAM roles and users ``<learner>-*`` (the execution role ``<learner>-lambda-role``, notebook 03's
  ``<learner>-reader``); ``iam:PassRole`` only for those roles and only to Lambda (``iam:PassedToService`` =
  ``lambda.amazonaws.com``, id_roles_use_passrole.html); a role or user the learner creates must carry the
  learner's permissions boundary (``iam:PermissionsBoundary``, access_policies_boundaries.html "Delegating
  responsibility to others"), and only AWS's ``AWSLambdaBasicExecutionRole`` may be attached to it
  (``iam:PolicyARN``), so nothing the learner makes can do more than the learner;
- log groups ``/aws/lambda/<learner>-*``.

What cannot be scoped by name, and how it is limited instead (said again by ``unscoped_actions()``, which the
CLI prints):

- CloudFront distributions and their tags: the ARN has a generated id (``distribution/*`` only, list_amazon
  cloudfront.html), so ``CreateDistribution``/``CreateDistributionWithTags`` need ``aws:RequestTag/learner`` =
  the learner, and every other distribution action needs ``aws:ResourceTag/learner`` = the learner.
- CloudFront origin access controls: generated ids and no tags (``origin-access-control/*`` with no condition
  keys): allowed on ``*``. A learner could change another learner's OAC; it signs requests only, so the worst
  is a broken origin for the other, not access to anything.
- CloudFront's managed cache and origin request policies, ``List*``: read-only, on ``*``.
- ACM certificates: generated ids (``certificate/*``): ``RequestCertificate`` needs ``aws:RequestTag/learner``,
  the others ``aws:ResourceTag/learner`` (list_awscertificatemanager.html), in the class's regions and
  ``us-east-1`` (CloudFront's certificates); ``ListCertificates`` on ``*``.
- Route 53: the class's hosted zone is shared (``hostedzone/*``), so ``ChangeResourceRecordSets`` is limited
  with ``ForAllValues:StringLike`` on ``route53:ChangeResourceRecordSetsNormalizedRecordNames`` to
  ``<learner>.<domain>`` and ``*.<learner>.<domain>`` (list_amazonroute53.html; specifying-rrset-conditions.html);
  reading zones, records and changes on ``*``; no learner may create or delete a zone.
- AWS WAF (the edge notebook): web ACLs have generated ids; ``CreateWebACL`` needs ``aws:RequestTag/learner``
  and the others ``aws:ResourceTag/learner`` (list_awswafv2.html); ``List*``/``Get*Managed*`` on ``*``.
- API Gateway REST APIs (the 29 s comparison): generated ids (``/restapis/*``): ``POST /restapis`` needs
  ``aws:RequestTag/learner``, the rest ``aws:ResourceTag/learner`` (list_amazonapigatewaymanagement.html).
- ``lambda:ListFunctions``, ``lambda:GetAccountSettings``, ``iam:List*`` of the account, ``logs:DescribeLogGroups``,
  CloudWatch metrics reads, ``sts:GetCallerIdentity``: these have no resource type; allowed on ``*`` (read
  only: a learner sees the names of others' resources, as the instructor's dashboard does).

The boundary also denies, whatever the policy says: anything on the class's own users and policies (path
``/kit-classroom/``), removing or changing a permissions boundary, creating a user or role without the learner's
boundary, and creating a function not tagged ``learner=<learner>``; and it keeps Lambda, Logs and API Gateway in the
class's regions, ACM, CloudWatch and WAF in them and us-east-1 (where CloudFront's certificates, its metrics and its
web ACLs live: a learner's cost notebook reads CloudFront's metrics there, found by the aws-mode rehearsal with
class credentials).
"""

from __future__ import annotations

from typing import Any

from ..steps.teardown import CLASS_PATH

LAMBDA_SERVICE = "lambda.amazonaws.com"
BASIC_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
CLOUDFRONT_REGION = "us-east-1"  # CloudFront's certificates live there (ACM, acm-regions.html)
_VERSION = "2012-10-17"


def user_name(learner: str) -> str:
    """The learner's IAM user: ``<learner>-student`` under the class's path, so the learner's own teardown
    (which removes ``<learner>-*``) leaves it to the class teardown."""
    return f"{learner}-student"


def boundary_name(learner: str) -> str:
    return f"{learner}-student-boundary"


def boundary_arn(learner: str, account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:policy{CLASS_PATH}{boundary_name(learner)}"


def _tagged(key: str, learner: str) -> dict[str, Any]:
    return {"StringEquals": {f"aws:{key}/learner": learner}}


def _statement(sid: str, actions: list[str], resources: list[str] | str, condition: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def learner_policy(learner: str, account_id: str, regions: list[str], domain: str) -> dict[str, Any]:
    """The learner's inline identity policy: what the notebooks do, on what is the learner's."""
    # Regions are the boundary's to limit (aws:RequestedRegion), which keeps this under IAM's size quota.
    functions = f"arn:aws:lambda:*:{account_id}:function:{learner}-*"
    log_groups = [f"arn:aws:logs:*:{account_id}:log-group:/aws/lambda/{learner}-*{suffix}" for suffix in ("", ":*")]
    roles = f"arn:aws:iam::{account_id}:role/{learner}-*"
    users = f"arn:aws:iam::{account_id}:user/{learner}-*"
    boundary = {"StringEquals": {"iam:PermissionsBoundary": boundary_arn(learner, account_id)}}
    zone_names = [f"{learner}.{domain}", f"*.{learner}.{domain}"]
    return {
        "Version": _VERSION,
        "Statement": [
            _statement("OwnFunctions", ["lambda:*"], functions),
            _statement(
                "ListFunctions",
                ["lambda:ListFunctions", "lambda:GetAccountSettings"],
                "*",
            ),
            _statement(
                "OwnRolesAndUsersWithTheLearnersBoundary",
                ["iam:CreateRole", "iam:CreateUser"],
                [roles, users],
                boundary,
            ),
            _statement(
                "OwnRolesAndUsers",
                [
                    "iam:GetRole",
                    "iam:DeleteRole",
                    "iam:TagRole",
                    "iam:ListRoleTags",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListRolePolicies",
                    "iam:GetRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:GetUser",
                    "iam:DeleteUser",
                    "iam:TagUser",
                    "iam:ListUserTags",
                    "iam:CreateAccessKey",
                    "iam:DeleteAccessKey",
                    "iam:ListAccessKeys",
                    "iam:PutUserPolicy",
                    "iam:GetUserPolicy",
                    "iam:DeleteUserPolicy",
                    "iam:ListUserPolicies",
                    "iam:ListAttachedUserPolicies",
                    "iam:ListGroupsForUser",
                ],
                [roles, users],
            ),
            _statement(
                "BasicExecutionPolicyOnly",
                ["iam:AttachRolePolicy"],
                roles,
                {"ArnEquals": {"iam:PolicyARN": BASIC_EXECUTION_POLICY}},
            ),
            _statement(
                "PassOwnRolesToLambda",
                ["iam:PassRole"],
                roles,
                {"StringEquals": {"iam:PassedToService": LAMBDA_SERVICE}},
            ),
            _statement("ListIam", ["iam:ListRoles", "iam:ListUsers", "iam:ListPolicies"], "*"),
            _statement("OwnLogGroups", ["logs:*"], log_groups),
            _statement(
                "ReadLogsAndMetrics",
                [
                    "logs:DescribeLogGroups",
                    "cloudwatch:GetMetricData",
                    "cloudwatch:GetMetricStatistics",
                    "cloudwatch:ListMetrics",
                ],
                "*",
            ),
            _statement(
                "CreateTaggedDistributions",
                ["cloudfront:CreateDistribution", "cloudfront:CreateDistributionWithTags", "cloudfront:TagResource"],
                f"arn:aws:cloudfront::{account_id}:distribution/*",
                _tagged("RequestTag", learner),
            ),
            _statement(
                "OwnDistributionsByTag",
                [
                    "cloudfront:GetDistribution",
                    "cloudfront:GetDistributionConfig",
                    "cloudfront:UpdateDistribution",
                    "cloudfront:DeleteDistribution",
                    "cloudfront:CreateInvalidation",
                    "cloudfront:GetInvalidation",
                    "cloudfront:ListTagsForResource",
                ],
                f"arn:aws:cloudfront::{account_id}:distribution/*",
                _tagged("ResourceTag", learner),
            ),
            _statement(
                "OriginAccessControlsAndReadsUnscoped",
                [
                    "cloudfront:CreateOriginAccessControl",
                    "cloudfront:GetOriginAccessControl",
                    "cloudfront:UpdateOriginAccessControl",
                    "cloudfront:DeleteOriginAccessControl",
                    "cloudfront:List*",
                    "cloudfront:GetCachePolicy",
                    "cloudfront:GetOriginRequestPolicy",
                ],
                "*",
            ),
            _statement(
                "RequestTaggedCertificates",
                ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
                "*",
                _tagged("RequestTag", learner),
            ),
            _statement(
                "OwnCertificatesByTag",
                [
                    "acm:DescribeCertificate",
                    "acm:DeleteCertificate",
                    "acm:ListTagsForCertificate",
                    "acm:GetCertificate",
                ],
                f"arn:aws:acm:*:{account_id}:certificate/*",
                _tagged("ResourceTag", learner),
            ),
            _statement("ListCertificates", ["acm:ListCertificates"], "*"),
            _statement(
                "OwnRecordNames",
                ["route53:ChangeResourceRecordSets"],
                "arn:aws:route53:::hostedzone/*",
                {"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": zone_names}},
            ),
            _statement(
                "ReadZones",
                [
                    "route53:ListHostedZones",
                    "route53:ListHostedZonesByName",
                    "route53:GetHostedZone",
                    "route53:ListResourceRecordSets",
                    "route53:GetChange",
                ],
                "*",
            ),
            _statement(
                "CreateTaggedRestApis",
                ["apigateway:POST"],
                "arn:aws:apigateway:*::/restapis",
                _tagged("RequestTag", learner),
            ),
            _statement(
                "OwnRestApisByTag",
                ["apigateway:*"],
                "arn:aws:apigateway:*::/restapis/*",
                _tagged("ResourceTag", learner),
            ),
            _statement("ListRestApis", ["apigateway:GET"], "arn:aws:apigateway:*::/restapis"),
            _statement(
                "CreateTaggedWebAcls",
                ["wafv2:CreateWebACL", "wafv2:TagResource"],
                "*",
                _tagged("RequestTag", learner),
            ),
            _statement(
                "OwnWebAclsByTag",
                ["wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL", "wafv2:ListTagsForResource"],
                "*",
                _tagged("ResourceTag", learner),
            ),
            _statement("ReadWaf", ["wafv2:List*", "wafv2:DescribeManagedRuleGroup"], "*"),
            _statement("WhoAmI", ["sts:GetCallerIdentity"], "*"),
        ],
    }


def _compact(statement: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in statement.items() if k != "Sid"}
    if statement.get("Sid") == "OwnRolesAndUsers":
        out["Action"] = "iam:*"
    return out


def permissions_boundary(learner: str, account_id: str, regions: list[str], domain: str) -> dict[str, Any]:
    """The boundary: the same scope as ``learner_policy`` plus denials no identity policy can undo (module
    docstring). Every role and user the learner creates must carry it, so a policy the learner writes on one of
    them (notebook 03's reader, an execution role) can never reach past the learner's own things."""
    class_things = [f"arn:aws:iam::{account_id}:user{CLASS_PATH}*", f"arn:aws:iam::{account_id}:policy{CLASS_PATH}*"]
    own_boundary = boundary_arn(learner, account_id)
    return {
        "Version": _VERSION,
        "Statement": [
            # Without their Sids, and IAM's actions on the learner's roles and users as one ``iam:*``: IAM counts a
            # managed policy's characters (6,144 at most, reference_iam-quotas.html).
            *(_compact(s) for s in learner_policy(learner, account_id, regions, domain)["Statement"]),
            {
                "Sid": "ClassRegionsOnly",
                "Effect": "Deny",
                "Action": ["lambda:*", "logs:*", "apigateway:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": sorted(regions)}},
            },
            {
                # CloudFront's certificates, its CloudWatch metrics and its web ACLs live in us-east-1 only
                # (cf-api-permissions-ref / programming-cloudwatch-metrics.html / waf-cloudfront): allowed there too.
                "Sid": "CertificatesInClassRegionsAndCloudFronts",
                "Effect": "Deny",
                "Action": ["acm:*", "cloudwatch:*", "wafv2:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": sorted({*regions, CLOUDFRONT_REGION})}},
            },
            {"Sid": "NotTheClassesOwnUsersAndPolicies", "Effect": "Deny", "Action": "*", "Resource": class_things},
            {
                "Sid": "BoundariesStay",
                "Effect": "Deny",
                "Action": ["iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary"],
                "Resource": "*",
            },
            {
                "Sid": "OnlyTheLearnersBoundary",
                "Effect": "Deny",
                "Action": [
                    "iam:CreateUser",
                    "iam:CreateRole",
                    "iam:PutUserPermissionsBoundary",
                    "iam:PutRolePermissionsBoundary",
                ],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": own_boundary}},
            },
            {
                "Sid": "FunctionsCarryTheLearnersTag",
                "Effect": "Deny",
                "Action": ["lambda:CreateFunction"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestTag/learner": learner}},
            },
        ],
    }


def unscoped_actions() -> list[str]:
    """What cannot be scoped by name and how it is limited instead, one line each (the CLI prints them)."""
    return [
        "CloudFront distributions: ids are generated; create needs tag learner=<learner>, "
        "everything else needs the distribution's tag learner=<learner>.",
        "CloudFront origin access controls: generated ids and no tags; allowed on any OAC "
        "(an OAC only signs requests, so the worst is another learner's broken origin).",
        "CloudFront managed policies and List*: read only, any resource.",
        "ACM certificates: generated ids; request needs tag learner=<learner>, the rest the certificate's tag; "
        "class regions and us-east-1 only.",
        "Route 53: the zone is shared; record changes only for <learner>.<domain> and *.<learner>.<domain> "
        "(route53:ChangeResourceRecordSetsNormalizedRecordNames); zones read only.",
        "WAF web ACLs and API Gateway REST APIs: generated ids; create needs tag learner=<learner>, "
        "the rest the resource's tag.",
        "Lambda ListFunctions/GetAccountSettings, IAM List*, logs DescribeLogGroups, CloudWatch metric reads, "
        "sts:GetCallerIdentity: no resource type; read only, any resource.",
    ]
