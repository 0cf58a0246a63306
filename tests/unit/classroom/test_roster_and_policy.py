"""The roster parser and the learner's policy documents, evaluated with the local cloud's IAM evaluator."""

from __future__ import annotations

import json

import pytest

from infra.classroom.learner_policy import boundary_arn, learner_policy, permissions_boundary
from infra.classroom.roster import RosterError, parse_roster
from infra.local.iam.policy import AuthzRequest, Decision, evaluate, evaluate_identity

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
DOMAIN = "class.example.com"


def test_roster_skips_comments_and_blank_lines() -> None:
    assert parse_roster("# class of 2026\nalice\n\n  bob   # back row\n") == ["alice", "bob"]


def test_roster_reports_every_bad_line_at_once() -> None:
    with pytest.raises(RosterError) as caught:
        parse_roster("alice\nbob-smith\nalice\n1carol\n", "r.txt")
    assert caught.value.problems == [
        "line 2: 'bob-smith' must start with a letter and use only a-z and 0-9 (at most 20 characters; no '-', "
        "which the kit puts between your name and each resource's); use, for example, 'bobsmith'",
        "line 3: 'alice' is already on line 1",
        "line 4: '1carol' must start with a letter and use only a-z and 0-9 (at most 20 characters; no '-', "
        "which the kit puts between your name and each resource's); use, for example, 'carol'",
    ]
    assert str(caught.value).startswith("r.txt: 3 problem(s), nothing was created:")


def _both(learner: str) -> tuple[list[dict], list[dict]]:
    return (
        learner_policy(learner, ACCOUNT, [REGION], DOMAIN)["Statement"],
        permissions_boundary(learner, ACCOUNT, [REGION], DOMAIN)["Statement"],
    )


def _fn(name: str, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"


@pytest.mark.parametrize(
    ("action", "resource", "context", "allowed"),
    [
        ("lambda:CreateFunction", _fn("alice-hello"), {"aws:RequestTag/learner": "alice"}, True),
        ("lambda:CreateFunction", _fn("alice-hello"), {}, False),  # untagged: the boundary denies it
        ("lambda:CreateFunction", _fn("alice-hello"), {"aws:RequestTag/learner": "bob"}, False),
        ("lambda:CreateFunction", _fn("bob-hello"), {"aws:RequestTag/learner": "alice"}, False),
        ("lambda:InvokeFunction", _fn("alice-release:live"), {}, True),
        ("lambda:DeleteFunction", _fn("bob-hello"), {}, False),
        ("lambda:DeleteFunction", _fn("alicex-hello"), {}, False),
        ("lambda:GetFunction", _fn("alice-hello", "us-west-2"), {}, False),  # not a class region
        (
            "iam:PassRole",
            f"arn:aws:iam::{ACCOUNT}:role/alice-lambda-role",
            {"iam:PassedToService": "lambda.amazonaws.com"},
            True,
        ),
        (
            "iam:PassRole",
            f"arn:aws:iam::{ACCOUNT}:role/alice-lambda-role",
            {"iam:PassedToService": "ec2.amazonaws.com"},
            False,
        ),
        (
            "iam:PassRole",
            f"arn:aws:iam::{ACCOUNT}:role/bob-lambda-role",
            {"iam:PassedToService": "lambda.amazonaws.com"},
            False,
        ),
        (
            "iam:CreateRole",
            f"arn:aws:iam::{ACCOUNT}:role/alice-lambda-role",
            {"iam:PermissionsBoundary": boundary_arn("alice", ACCOUNT)},
            True,
        ),
        ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/alice-lambda-role", {}, False),
        (
            "iam:CreateUser",
            f"arn:aws:iam::{ACCOUNT}:user/alice-reader",
            {"iam:PermissionsBoundary": boundary_arn("bob", ACCOUNT)},
            False,
        ),
        ("iam:DeleteUser", f"arn:aws:iam::{ACCOUNT}:user/kit-classroom/alice-student", {}, False),
        (
            "iam:AttachRolePolicy",
            f"arn:aws:iam::{ACCOUNT}:role/alice-lambda-role",
            {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"},
            False,
        ),
        (
            "cloudfront:DeleteDistribution",
            f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1",
            {"aws:ResourceTag/learner": "alice"},
            True,
        ),
        (
            "cloudfront:DeleteDistribution",
            f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1",
            {"aws:ResourceTag/learner": "bob"},
            False,
        ),
        (
            "route53:ChangeResourceRecordSets",
            "arn:aws:route53:::hostedzone/Z1",
            {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["api.alice.class.example.com"]},
            True,
        ),
        (
            "route53:ChangeResourceRecordSets",
            "arn:aws:route53:::hostedzone/Z1",
            {
                "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
                    "api.alice.class.example.com",
                    "api.bob.class.example.com",
                ]
            },
            False,
        ),
        ("logs:DeleteLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/alice-hello", {}, True),
        ("logs:DeleteLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/bob-hello", {}, False),
    ],
)
def test_what_alice_may_do(action: str, resource: str, context: dict, allowed: bool) -> None:
    policy, boundary = _both("alice")
    request = AuthzRequest(action, resource, {"aws:RequestedRegion": resource.split(":")[3] or "us-east-1", **context})
    assert evaluate_identity(policy, boundary, request).allowed is allowed


def test_a_policy_the_learner_writes_cannot_pass_the_boundary() -> None:
    _, boundary = _both("alice")
    admin = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    request = AuthzRequest("lambda:DeleteFunction", _fn("bob-hello"), {"aws:RequestedRegion": REGION})
    assert evaluate(admin, request) is Decision.ALLOW
    decision = evaluate_identity(admin, boundary, request)
    assert (decision.decision, decision.policy_type) == (Decision.NOT_ALLOWED, "permissions boundary")


def test_the_documents_fit_iams_managed_policy_quota() -> None:
    # reference_iam-quotas.html: a managed policy holds at most 6,144 characters, whitespace not counted.
    for document in (
        learner_policy("a" * 20, ACCOUNT, [REGION, "us-west-2"], DOMAIN),
        permissions_boundary("a" * 20, ACCOUNT, [REGION, "us-west-2"], DOMAIN),
    ):
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144
