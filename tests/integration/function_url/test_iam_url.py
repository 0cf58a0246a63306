"""AWS_IAM Function URLs over real HTTP: who gets in, who does not, and what the function sees."""

from __future__ import annotations

import json
import time
import uuid

import boto3
import httpx
import pytest
from botocore.credentials import Credentials

from infra.signing import SigV4, presign
from tests.local_cloud import REGION

ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"accountId": event["requestContext"]["accountId"],
                                "authorizer": event["requestContext"].get("authorizer"),
                                "body": event.get("body")})}
"""

FORBIDDEN_POLICY = "Forbidden. For troubleshooting Function URL authorization issues"


@pytest.fixture
def iam_url(deploy, aws):
    """A function whose URL is AWS_IAM, with no resource-policy statement at all."""
    fn = deploy(ECHO, permissions="none")
    aws("lambda").update_function_url_config(FunctionName=fn.name, AuthType="AWS_IAM")
    return fn


def _client(endpoint: str, creds: Credentials | None) -> httpx.Client:
    """httpx that signs for the URL's real host name and sends to the local cloud."""
    from infra.kit import LocalCloudTransport

    auth = SigV4(creds, REGION) if creds is not None else None
    return httpx.Client(transport=LocalCloudTransport(endpoint), auth=auth, timeout=30)


def _user(aws, *, policy: dict | None = None) -> tuple[str, Credentials]:
    iam = aws("iam")
    name = f"reader-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="invoke-url", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def _allow(function_arn: str, effect: str = "Allow") -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": effect,
                "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
                "Resource": function_arn,
            }
        ],
    }


def _arn(aws, name: str) -> str:
    return aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_unsigned_is_403_forbidden(iam_url, endpoint) -> None:
    response = _client(endpoint, None).get(iam_url.url)
    assert response.status_code == 403 and response.content == b'{"Message":"Forbidden"}'


def test_the_kits_own_credentials_are_the_accounts_root(iam_url, endpoint, local_credentials) -> None:
    response = _client(endpoint, local_credentials).post(iam_url.url, json={"a": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["accountId"] == "123456789012"
    assert body["authorizer"] == {
        "iam": {
            "accessKey": local_credentials.access_key,
            "accountId": "123456789012",
            "callerId": "123456789012",
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": "arn:aws:iam::123456789012:root",
            "userId": "123456789012",
        }
    }
    assert json.loads(body["body"]) == {"a": 1}


def test_a_user_without_permission_then_with_an_identity_policy(iam_url, aws, endpoint) -> None:
    arn, creds = _user(aws)
    denied = _client(endpoint, creds).get(iam_url.url)
    assert denied.status_code == 403 and denied.json()["Message"].startswith(FORBIDDEN_POLICY)
    aws("iam").put_user_policy(
        UserName=arn.split("/")[-1], PolicyName="p", PolicyDocument=json.dumps(_allow(_arn(aws, iam_url.name)))
    )
    allowed = _client(endpoint, creds).get(iam_url.url)
    assert allowed.status_code == 200
    iam_block = allowed.json()["authorizer"]["iam"]
    assert iam_block["userArn"] == arn and iam_block["accessKey"] == creds.access_key
    user_id = aws("iam").get_user(UserName=arn.split("/")[-1])["User"]["UserId"]
    assert iam_block["userId"] == user_id and iam_block["callerId"] == user_id


def test_only_invoke_function_url_is_not_enough_since_october_2025(iam_url, aws, endpoint) -> None:
    policy = _allow(_arn(aws, iam_url.name))
    policy["Statement"][0]["Action"] = "lambda:InvokeFunctionUrl"
    _, creds = _user(aws, policy=policy)
    assert _client(endpoint, creds).get(iam_url.url).status_code == 403


def _grant_user(lam, function_name: str, user_arn: str) -> None:  # type: ignore[no-untyped-def]
    """The resource policy names the user for both actions an AWS_IAM URL needs."""
    lam.add_permission(
        FunctionName=function_name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal=user_arn,
        FunctionUrlAuthType="AWS_IAM",
    )
    lam.add_permission(
        FunctionName=function_name,
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal=user_arn,
        InvokedViaFunctionUrl=True,
    )


def test_a_resource_policy_naming_the_user_is_enough_in_the_same_account(iam_url, aws, endpoint) -> None:
    arn, creds = _user(aws)
    _grant_user(aws("lambda"), iam_url.name, arn)
    assert _client(endpoint, creds).get(iam_url.url).status_code == 200


def test_an_explicit_deny_wins(iam_url, aws, endpoint) -> None:
    function_arn = _arn(aws, iam_url.name)
    policy = _allow(function_arn)
    policy["Statement"].append(_allow(function_arn, "Deny")["Statement"][0])
    _, creds = _user(aws, policy=policy)
    assert _client(endpoint, creds).get(iam_url.url).status_code == 403


def test_a_user_allowed_on_one_function_is_refused_by_another(deploy, iam_url, aws, endpoint) -> None:
    other = deploy(ECHO, permissions="none")
    aws("lambda").update_function_url_config(FunctionName=other.name, AuthType="AWS_IAM")
    _, creds = _user(aws, policy=_allow(_arn(aws, iam_url.name)))
    client = _client(endpoint, creds)
    assert client.get(iam_url.url).status_code == 200
    assert client.get(other.url).status_code == 403


def test_a_signature_for_one_url_does_not_open_another(deploy, iam_url, aws, endpoint, local_credentials) -> None:
    other = deploy(ECHO, permissions="none")
    aws("lambda").update_function_url_config(FunctionName=other.name, AuthType="AWS_IAM")
    signed = presign(iam_url.url, local_credentials, REGION)
    client = _client(endpoint, None)
    assert client.get(signed).status_code == 200
    response = client.get(signed.replace(iam_url.host, other.host))
    assert response.status_code == 403
    assert response.json()["message"].startswith("The request signature we calculated does not match")


def test_an_expired_presigned_url_is_403(iam_url, endpoint, local_credentials) -> None:
    signed = presign(iam_url.url, local_credentials, REGION, expires=1)
    time.sleep(2.1)
    response = _client(endpoint, None).get(signed)
    assert response.status_code == 403 and response.json()["message"] == "Request has expired"


def test_an_unknown_key_is_403(iam_url, endpoint) -> None:
    response = _client(endpoint, Credentials("AKIAUNKNOWN000000000", "nope")).get(iam_url.url)
    assert response.status_code == 403
    assert response.json() == {"message": "The security token included in the request is invalid."}


def test_assumed_role_credentials(iam_url, aws, endpoint) -> None:
    iam, sts = aws("iam"), aws("sts")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=f"caller-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]
    iam.put_role_policy(
        RoleName=role["RoleName"], PolicyName="p", PolicyDocument=json.dumps(_allow(_arn(aws, iam_url.name)))
    )
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="workshop")["Credentials"]
    session = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    response = _client(endpoint, session).get(iam_url.url)
    assert response.status_code == 200
    assert response.json()["authorizer"]["iam"]["userArn"].endswith(f":assumed-role/{role['RoleName']}/workshop")
    without_token = _client(endpoint, Credentials(creds["AccessKeyId"], creds["SecretAccessKey"])).get(iam_url.url)
    assert without_token.status_code == 403


def test_another_account_needs_both_policies(iam_url, aws, endpoint) -> None:
    sts = aws("sts")
    # moto lets anyone assume a role of another account: use it to act as account 210987654321
    bootstrap = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/bootstrap", RoleSessionName="bootstrap")[
        "Credentials"
    ]
    other_iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=bootstrap["AccessKeyId"],
        aws_secret_access_key=bootstrap["SecretAccessKey"],
        aws_session_token=bootstrap["SessionToken"],
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    role = other_iam.create_role(
        RoleName=f"partner-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]
    assert role["Arn"].split(":")[4] == "210987654321"
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="partner")["Credentials"]
    partner = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    lam = aws("lambda")
    lam.add_permission(
        FunctionName=iam_url.name,
        StatementId="partner-url",
        Action="lambda:InvokeFunctionUrl",
        Principal=role["Arn"],
        FunctionUrlAuthType="AWS_IAM",
    )
    lam.add_permission(
        FunctionName=iam_url.name,
        StatementId="partner-invoke",
        Action="lambda:InvokeFunction",
        Principal=role["Arn"],
        InvokedViaFunctionUrl=True,
    )
    assert _client(endpoint, partner).get(iam_url.url).status_code == 403  # the resource policy alone: not enough
    other_iam.put_role_policy(
        RoleName=role["RoleName"], PolicyName="p", PolicyDocument=json.dumps(_allow(_arn(aws, iam_url.name)))
    )
    response = _client(endpoint, partner).get(iam_url.url)
    assert response.status_code == 200
    assert response.json()["accountId"] == "210987654321"


def test_the_kit_signs_and_presigns_for_the_notebook_and_for_curl(iam_url, endpoint) -> None:
    import shutil
    import subprocess

    import infra

    kit = infra.Kit(infra.Settings(region=REGION), endpoint=endpoint)
    assert kit.http().get(iam_url.url).status_code == 403
    assert kit.http(auth=kit.sigv4()).get(iam_url.url).status_code == 200
    assert kit.http().get(kit.presign(iam_url.url)).status_code == 200
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    link = kit.presign(iam_url.url, for_browser=True)
    assert ".localhost:" in link
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", link], capture_output=True, text=True, timeout=30
    )
    assert out.stdout == "200"


def test_a_principal_org_id_condition_admits_that_organizations_callers(iam_url, aws, endpoint) -> None:
    """AddPermission(PrincipalOrgID=...) keeps its aws:PrincipalOrgID condition, and the URL evaluates it."""
    sts = aws("sts")
    account = "310987654321"
    bootstrap = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/bootstrap", RoleSessionName="boot")["Credentials"]
    as_other = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": bootstrap["AccessKeyId"],
        "aws_secret_access_key": bootstrap["SecretAccessKey"],
        "aws_session_token": bootstrap["SessionToken"],
    }
    org_id = boto3.client("organizations", **as_other).create_organization(FeatureSet="ALL")["Organization"]["Id"]
    other_iam = boto3.client("iam", **as_other)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    role = other_iam.create_role(RoleName=f"org-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=json.dumps(trust))
    other_iam.put_role_policy(
        RoleName=role["Role"]["RoleName"], PolicyName="p", PolicyDocument=json.dumps(_allow(_arn(aws, iam_url.name)))
    )
    creds = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="member")["Credentials"]
    member = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    lam = aws("lambda")

    def grant(org: str, suffix: str) -> None:
        for sid, action, extra in (
            ("url", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "AWS_IAM"}),
            ("invoke", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True}),
        ):
            lam.add_permission(
                FunctionName=iam_url.name,
                StatementId=f"{sid}-{suffix}",
                Action=action,
                Principal="*",
                PrincipalOrgID=org,
                **extra,
            )

    grant("o-aaaaaaaaaa", "another-org")
    assert _client(endpoint, member).get(iam_url.url).status_code == 403
    statements = json.loads(lam.get_policy(FunctionName=iam_url.name)["Policy"])["Statement"]
    assert all(s["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == "o-aaaaaaaaaa" for s in statements)
    grant(org_id, "our-org")
    response = _client(endpoint, member).get(iam_url.url)
    assert response.status_code == 200
    assert response.json()["authorizer"]["iam"]["principalOrgId"] == org_id


def test_a_permissions_boundary_limits_what_the_identity_policy_grants_not_what_the_resource_policy_does(
    iam_url, aws, endpoint
) -> None:
    """reference_policies_evaluation-logic.html: identity policy and boundary must both allow; a resource policy
    naming the user directly is not limited by the boundary's implicit deny (only by an explicit one)."""
    iam = aws("iam")
    function_arn = _arn(aws, iam_url.name)
    boundary_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    boundary = iam.create_policy(PolicyName=f"b-{uuid.uuid4().hex[:8]}", PolicyDocument=json.dumps(boundary_doc))
    arn, creds = _user(aws, policy=_allow(function_arn))
    assert _client(endpoint, creds).get(iam_url.url).status_code == 200  # no boundary yet
    iam.put_user_permissions_boundary(UserName=arn.split("/")[-1], PermissionsBoundary=boundary["Policy"]["Arn"])
    refused = _client(endpoint, creds).get(iam_url.url)
    assert refused.status_code == 403 and refused.json()["Message"].startswith(FORBIDDEN_POLICY)
    _grant_user(aws("lambda"), iam_url.name, arn)
    assert _client(endpoint, creds).get(iam_url.url).status_code == 200  # the resource policy names the user
    deny = {
        "Version": "2012-10-17",
        "Statement": [*boundary_doc["Statement"], _allow(function_arn, "Deny")["Statement"][0]],
    }
    iam.create_policy_version(PolicyArn=boundary["Policy"]["Arn"], PolicyDocument=json.dumps(deny), SetAsDefault=True)
    assert _client(endpoint, creds).get(iam_url.url).status_code == 403  # an explicit deny in the boundary wins
