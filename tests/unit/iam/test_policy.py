"""infra/local/iam/policy.py: the subset of IAM policy evaluation the local cloud relies on."""

from __future__ import annotations

import pytest

from infra.local.iam.policy import AuthzRequest, Caller, Decision, evaluate, principal_matches, statement_applies
from tests.unit.url_statements import public_url_statements

ACCOUNT = "123456789012"
FN_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hello"
DIST_ARN = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2EXAMPLE"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Deployer"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/alice"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"

PUBLIC_URL, INVOKE_VIA_URL = public_url_statements(FN_ARN)


def url_call(**context: str) -> AuthzRequest:
    return AuthzRequest("lambda:InvokeFunctionUrl", FN_ARN, context)


def allow(**extra) -> dict:
    return {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl", "Resource": FN_ARN, **extra}


def aws_caller(arn: str = USER_ARN, account: str = ACCOUNT) -> Caller:
    return Caller("aws", arn, account)


# --- principal_matches ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caller",
    [Caller.anonymous(), aws_caller(), Caller.service("cloudfront.amazonaws.com")],
    ids=["anonymous", "aws", "service"],
)
def test_star_principal_matches_everyone(caller: Caller) -> None:
    assert principal_matches("*", caller) is True


def test_aws_star_matches_anonymous_and_iam_callers() -> None:
    assert principal_matches({"AWS": "*"}, Caller.anonymous()) is True
    assert principal_matches({"AWS": ["*"]}, aws_caller()) is True


@pytest.mark.parametrize("principal", [ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", {"AWS": ACCOUNT}])
def test_account_principal_matches_any_identity_of_that_account(principal) -> None:
    assert principal_matches(principal, aws_caller(USER_ARN)) is True
    assert principal_matches(principal, aws_caller(SESSION_ARN)) is True


def test_account_principal_does_not_match_other_accounts_or_anonymous() -> None:
    assert principal_matches({"AWS": ACCOUNT}, aws_caller("arn:aws:iam::999999999999:user/x", "999999999999")) is False
    assert principal_matches({"AWS": ACCOUNT}, Caller.anonymous()) is False


def test_role_principal_matches_the_role_and_its_sessions_only() -> None:
    assert principal_matches({"AWS": ROLE_ARN}, aws_caller(ROLE_ARN)) is True
    assert principal_matches({"AWS": ROLE_ARN}, aws_caller(SESSION_ARN)) is True
    assert principal_matches({"AWS": ROLE_ARN}, aws_caller(USER_ARN)) is False
    other_session = f"arn:aws:sts::{ACCOUNT}:assumed-role/Other/alice"
    assert principal_matches({"AWS": ROLE_ARN}, aws_caller(other_session)) is False


def test_user_principal_matches_exactly() -> None:
    assert principal_matches({"AWS": [ROLE_ARN, USER_ARN]}, aws_caller(USER_ARN)) is True
    assert principal_matches({"AWS": USER_ARN}, aws_caller(f"arn:aws:iam::{ACCOUNT}:user/bobby")) is False


def test_service_principal() -> None:
    principal = {"Service": "cloudfront.amazonaws.com"}
    assert principal_matches(principal, Caller.service("cloudfront.amazonaws.com")) is True
    assert principal_matches(principal, Caller.service("s3.amazonaws.com")) is False
    assert principal_matches(principal, Caller.anonymous()) is False
    assert principal_matches(principal, aws_caller()) is False
    assert (
        principal_matches(
            {"Service": ["s3.amazonaws.com", "cloudfront.amazonaws.com"]}, Caller.service("cloudfront.amazonaws.com")
        )
        is True
    )


def test_missing_principal_matches_nobody() -> None:
    assert principal_matches(None, Caller.anonymous()) is False
    assert principal_matches(None, aws_caller()) is False


# --- evaluate: the Function URL statements ----------------------------------------------------------


def test_public_url_statement_allows_anonymous_url_call() -> None:
    assert evaluate([PUBLIC_URL], url_call(**{"lambda:FunctionUrlAuthType": "NONE"}), Caller.anonymous()) is (
        Decision.ALLOW
    )


def test_public_url_statement_needs_the_auth_type_key() -> None:
    assert evaluate([PUBLIC_URL], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED
    assert evaluate([PUBLIC_URL], url_call(**{"lambda:FunctionUrlAuthType": "AWS_IAM"}), Caller.anonymous()) is (
        Decision.NOT_ALLOWED
    )


def test_public_url_statement_does_not_cover_invoke_function() -> None:
    request = AuthzRequest("lambda:InvokeFunction", FN_ARN, {"lambda:FunctionUrlAuthType": "NONE"})
    assert evaluate([PUBLIC_URL], request, Caller.anonymous()) is Decision.NOT_ALLOWED


def test_bool_condition_for_invoked_via_function_url() -> None:
    via_url = AuthzRequest("lambda:InvokeFunction", FN_ARN, {"lambda:InvokedViaFunctionUrl": "true"})
    direct = AuthzRequest("lambda:InvokeFunction", FN_ARN, {})
    assert evaluate([INVOKE_VIA_URL], via_url, Caller.anonymous()) is Decision.ALLOW
    assert evaluate([INVOKE_VIA_URL], direct, Caller.anonymous()) is Decision.NOT_ALLOWED
    false = AuthzRequest("lambda:InvokeFunction", FN_ARN, {"lambda:InvokedViaFunctionUrl": "false"})
    assert evaluate([INVOKE_VIA_URL], false, Caller.anonymous()) is Decision.NOT_ALLOWED


def test_bool_condition_is_case_insensitive() -> None:
    stmt = allow(Condition={"Bool": {"aws:SecureTransport": "True"}})
    assert evaluate([stmt], url_call(**{"aws:SecureTransport": "true"}), Caller.anonymous()) is Decision.ALLOW


def test_no_statements_is_the_implicit_deny() -> None:
    assert evaluate([], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED


# --- Deny, actions, resources -----------------------------------------------------------------------


@pytest.mark.parametrize("order", ["deny-first", "deny-last"])
def test_explicit_deny_wins(order: str) -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "lambda:*", "Resource": "*"}
    statements = [deny, allow()] if order == "deny-first" else [allow(), deny]
    assert evaluate(statements, url_call(), Caller.anonymous()) is Decision.DENY


def test_deny_that_does_not_apply_leaves_the_allow() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "lambda:DeleteFunction", "Resource": "*"}
    assert evaluate([deny, allow()], url_call(), Caller.anonymous()) is Decision.ALLOW


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("lambda:*", Decision.ALLOW),
        ("*", Decision.ALLOW),
        ("lambda:Invoke*", Decision.ALLOW),
        ("LAMBDA:invokefunctionurl", Decision.ALLOW),  # actions are case-insensitive
        ("lambda:InvokeFunctionUr?", Decision.ALLOW),
        ("lambda:InvokeFunction", Decision.NOT_ALLOWED),  # no prefix match without a wildcard
        ("s3:*", Decision.NOT_ALLOWED),
        (["s3:GetObject", "lambda:InvokeFunctionUrl"], Decision.ALLOW),
    ],
)
def test_action_wildcards(action, expected: Decision) -> None:
    assert evaluate([allow(Action=action)], url_call(), Caller.anonymous()) is expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("*", Decision.ALLOW),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:*", Decision.ALLOW),
        (f"arn:aws:lambda:*:{ACCOUNT}:function:hell?", Decision.ALLOW),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hello:*", Decision.NOT_ALLOWED),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:HELLO", Decision.NOT_ALLOWED),  # resources are case-sensitive
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:other", Decision.NOT_ALLOWED),
    ],
)
def test_resource_wildcards(resource: str, expected: Decision) -> None:
    assert evaluate([allow(Resource=resource)], url_call(), Caller.anonymous()) is expected


def test_not_action() -> None:
    stmt = {"Effect": "Allow", "Principal": "*", "NotAction": "lambda:InvokeFunctionUrl", "Resource": "*"}
    invoke = AuthzRequest("lambda:InvokeFunction", FN_ARN)
    assert evaluate([stmt], invoke, Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED


def test_not_action_with_wildcard() -> None:
    stmt = {"Effect": "Deny", "Principal": "*", "NotAction": ["lambda:Get*", "lambda:List*"], "Resource": "*"}
    assert evaluate([stmt, allow()], url_call(), Caller.anonymous()) is Decision.DENY
    get = AuthzRequest("lambda:GetFunction", FN_ARN)
    assert evaluate([stmt, allow(Action="lambda:*")], get, Caller.anonymous()) is Decision.ALLOW


def test_not_resource() -> None:
    stmt = {"Effect": "Allow", "Principal": "*", "Action": "lambda:*", "NotResource": f"{FN_ARN}*"}
    other = AuthzRequest("lambda:InvokeFunctionUrl", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:other")
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED
    assert evaluate([stmt], other, Caller.anonymous()) is Decision.ALLOW


def test_statement_without_action_never_applies() -> None:
    stmt = {"Effect": "Allow", "Principal": "*", "Resource": "*"}
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED


def test_principal_must_match() -> None:
    stmt = allow(Principal={"AWS": ACCOUNT})
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED
    assert evaluate([stmt], url_call(), aws_caller()) is Decision.ALLOW


def test_identity_policy_evaluation_skips_the_principal() -> None:
    stmt = {"Effect": "Allow", "Action": "lambda:InvokeFunctionUrl", "Resource": FN_ARN}
    assert evaluate([stmt], url_call()) is Decision.ALLOW
    assert statement_applies(stmt, url_call(), None) is True


def test_effect_is_case_insensitive_and_unknown_effect_allows_nothing() -> None:
    assert evaluate([allow(Effect="allow")], url_call(), Caller.anonymous()) is Decision.ALLOW
    assert evaluate([allow(Effect="Maybe")], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED


# --- conditions -------------------------------------------------------------------------------------


def test_string_equals_and_condition_keys_are_case_insensitive() -> None:
    stmt = allow(Condition={"StringEquals": {"LAMBDA:functionurlauthtype": "NONE"}})
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "NONE"}), Caller.anonymous()) is Decision.ALLOW


def test_string_equals_values_are_case_sensitive() -> None:
    stmt = allow(Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}})
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "none"}), Caller.anonymous()) is (
        Decision.NOT_ALLOWED
    )
    ignore_case = allow(Condition={"StringEqualsIgnoreCase": {"lambda:FunctionUrlAuthType": "NONE"}})
    assert evaluate([ignore_case], url_call(**{"lambda:FunctionUrlAuthType": "none"}), Caller.anonymous()) is (
        Decision.ALLOW
    )


def test_operator_names_are_case_insensitive() -> None:
    stmt = allow(Condition={"stringequals": {"lambda:FunctionUrlAuthType": "NONE"}})
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "NONE"}), Caller.anonymous()) is Decision.ALLOW


def test_condition_values_list_is_an_or() -> None:
    stmt = allow(Condition={"StringEquals": {"lambda:FunctionUrlAuthType": ["AWS_IAM", "NONE"]}})
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "NONE"}), Caller.anonymous()) is Decision.ALLOW


def test_several_condition_keys_are_an_and() -> None:
    stmt = allow(
        Condition={
            "StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"},
            "ArnLike": {"AWS:SourceArn": DIST_ARN},
        }
    )
    both = url_call(**{"lambda:FunctionUrlAuthType": "AWS_IAM", "aws:SourceArn": DIST_ARN})
    one = url_call(**{"lambda:FunctionUrlAuthType": "AWS_IAM"})
    assert evaluate([stmt], both, Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], one, Caller.anonymous()) is Decision.NOT_ALLOWED


def test_string_like() -> None:
    stmt = allow(Condition={"StringLike": {"aws:UserAgent": "curl/*"}})
    assert evaluate([stmt], url_call(**{"aws:UserAgent": "curl/8.5.0"}), Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], url_call(**{"aws:UserAgent": "wget/1"}), Caller.anonymous()) is Decision.NOT_ALLOWED


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (DIST_ARN, DIST_ARN, True),
        (f"arn:aws:cloudfront::{ACCOUNT}:distribution/*", DIST_ARN, True),
        ("arn:aws:cloudfront::*:distribution/E2EXAMPLE", DIST_ARN, True),
        (f"arn:aws:cloudfront::{ACCOUNT}:distribution/EOTHER", DIST_ARN, False),
        ("arn:aws:cloudfront::999999999999:distribution/*", DIST_ARN, False),
        # a * inside one ARN part does not swallow the colons between parts
        ("arn:aws:*", DIST_ARN, False),
        ("not-an-arn", DIST_ARN, False),
    ],
)
def test_arn_like(pattern: str, value: str, expected: bool) -> None:
    stmt = allow(Condition={"ArnLike": {"AWS:SourceArn": pattern}})
    decision = evaluate([stmt], url_call(**{"aws:SourceArn": value}), Caller.service("cloudfront.amazonaws.com"))
    assert (decision is Decision.ALLOW) is expected


def test_arn_equals() -> None:
    stmt = allow(Condition={"ArnEquals": {"aws:SourceArn": DIST_ARN}})
    assert evaluate([stmt], url_call(**{"aws:SourceArn": DIST_ARN}), Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], url_call(**{"aws:SourceArn": DIST_ARN + "X"}), Caller.anonymous()) is (Decision.NOT_ALLOWED)


def test_positive_operator_with_absent_key_is_false() -> None:
    for operator in ("StringEquals", "StringLike", "ArnLike", "ArnEquals", "Bool"):
        stmt = allow(Condition={operator: {"aws:SourceArn": "*"}})
        assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED, operator


@pytest.mark.parametrize(
    "operator", ["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"]
)
def test_negated_operator_is_true_when_the_key_is_absent(operator: str) -> None:
    stmt = allow(Condition={operator: {"aws:SourceArn": DIST_ARN}})
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.ALLOW


def test_negated_operator_with_the_key_present() -> None:
    stmt = allow(Condition={"StringNotEquals": {"lambda:FunctionUrlAuthType": "NONE"}})
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "NONE"}), Caller.anonymous()) is (
        Decision.NOT_ALLOWED
    )
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "AWS_IAM"}), Caller.anonymous()) is (
        Decision.ALLOW
    )


def test_negated_operator_in_a_deny_with_absent_key_denies() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "lambda:*",
        "Resource": "*",
        "Condition": {"ArnNotLike": {"aws:SourceArn": DIST_ARN}},
    }
    assert evaluate([allow(), deny], url_call(), Caller.anonymous()) is Decision.DENY
    assert evaluate([allow(), deny], url_call(**{"aws:SourceArn": DIST_ARN}), Caller.anonymous()) is Decision.ALLOW


def test_if_exists() -> None:
    stmt = allow(Condition={"StringEqualsIfExists": {"lambda:FunctionUrlAuthType": "NONE"}})
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "NONE"}), Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], url_call(**{"lambda:FunctionUrlAuthType": "AWS_IAM"}), Caller.anonymous()) is (
        Decision.NOT_ALLOWED
    )


def test_arn_like_if_exists() -> None:
    stmt = allow(Condition={"ArnLikeIfExists": {"aws:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/*"}})
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.ALLOW
    assert evaluate([stmt], url_call(**{"aws:SourceArn": "arn:aws:s3:::b"}), Caller.anonymous()) is (
        Decision.NOT_ALLOWED
    )


@pytest.mark.parametrize(
    ("present", "wanted", "expected"),
    [(False, "true", True), (True, "true", False), (True, "false", True), (False, "false", False)],
)
def test_null_operator(present: bool, wanted: str, expected: bool) -> None:
    stmt = allow(Condition={"Null": {"aws:SourceArn": wanted}})
    request = url_call(**{"aws:SourceArn": DIST_ARN}) if present else url_call()
    assert (evaluate([stmt], request, Caller.anonymous()) is Decision.ALLOW) is expected


def test_for_any_value_and_for_all_values_with_multivalued_key() -> None:
    request = AuthzRequest("lambda:InvokeFunctionUrl", FN_ARN, {"aws:TagKeys": ["team", "cost"]})
    any_stmt = allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})
    all_stmt = allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
    all_ok = allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost", "env"]}})
    assert evaluate([any_stmt], request, Caller.anonymous()) is Decision.ALLOW
    assert evaluate([all_stmt], request, Caller.anonymous()) is Decision.NOT_ALLOWED
    assert evaluate([all_ok], request, Caller.anonymous()) is Decision.ALLOW


def test_for_any_value_with_absent_key_is_false() -> None:
    stmt = allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.NOT_ALLOWED


# IAM docs (reference_policies_condition-single-vs-multi-valued-context-keys.html): ForAllValues is true
# when the key is absent (an empty set satisfies "all values").
def test_for_all_values_with_absent_key_is_true_on_aws() -> None:
    stmt = allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
    assert evaluate([stmt], url_call(), Caller.anonymous()) is Decision.ALLOW


def test_unsupported_operator_never_matches() -> None:
    stmt = allow(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})
    assert evaluate([stmt], url_call(**{"aws:MultiFactorAuthAge": "10"}), Caller.anonymous()) is (Decision.NOT_ALLOWED)
