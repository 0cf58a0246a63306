"""The kit's CloudFront deploy steps (``infra/steps/cloudfront.py``) against the session's local cloud."""

from __future__ import annotations

import json
import uuid

import pytest

import infra
from infra import cloudfront, deploy, packaging

pytestmark = pytest.mark.integration


@pytest.fixture
def kit(endpoint: str) -> infra.Kit:
    return infra.Kit(infra.Settings(learner=f"t{uuid.uuid4().hex[:10]}"), endpoint=endpoint)


@pytest.fixture
def api_url(kit: infra.Kit) -> tuple[str, str]:
    lam = kit.client("lambda")
    role = deploy.ensure_execution_role(kit.client("iam"), kit.name("role"), tags=kit.tags)
    fn = deploy.ensure_function(
        lam, kit.name("api"), role_arn=role.arn, zip_bytes=packaging.build_zip("api"), handler="api.handler"
    )
    url = deploy.ensure_function_url(lam, fn.name).url
    deploy.ensure_public_url_permissions(lam, fn.name)
    return fn.name, url


def test_ensure_distribution_creates_finds_and_updates(kit: infra.Kit, api_url: tuple[str, str]) -> None:
    cf = kit.client("cloudfront", "us-east-1")
    _, url = api_url
    name = kit.name("cdn")
    created = cloudfront.ensure_distribution(cf, name, cloudfront.Origin(url), tags=kit.tags)
    assert created.action == "created" and created.status == "InProgress"
    tags = cf.list_tags_for_resource(Resource=created.arn)["Tags"]["Items"]
    assert {t["Key"]: t["Value"] for t in tags} == kit.tags

    seen: list[tuple[int, str]] = []
    assert cloudfront.wait_deployed(cf, created.id, delay=0, progress=lambda n, s: seen.append((n, s))) == "Deployed"
    assert seen[-1][1] == "Deployed" and seen[0][1] == "InProgress"

    again = cloudfront.ensure_distribution(cf, name, cloudfront.Origin(url), tags=kit.tags)
    assert (again.action, again.id) == ("unchanged", created.id)

    cached = cloudfront.Origin(url, cache_policy=cloudfront.CACHING_OPTIMIZED, read_timeout=60)
    updated = cloudfront.ensure_distribution(cf, name, cached, tags=kit.tags)
    assert (updated.action, updated.id, updated.status) == ("updated", created.id, "InProgress")
    assert updated.etag != created.etag
    config = cf.get_distribution_config(Id=created.id)["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == cloudfront.CACHING_OPTIMIZED
    assert config["Origins"]["Items"][0]["CustomOriginConfig"]["OriginReadTimeout"] == 60
    assert config["Origins"]["Items"][0]["DomainName"] == url.split("/")[2]


def test_wait_deployed_gives_up_with_advice(kit: infra.Kit, api_url: tuple[str, str]) -> None:
    cf = kit.client("cloudfront", "us-east-1")
    dist = cloudfront.ensure_distribution(cf, kit.name("cdn"), cloudfront.Origin(api_url[1]), tags=kit.tags)
    with pytest.raises(TimeoutError, match="run this cell again"):
        cloudfront.wait_deployed(cf, dist.id, delay=0, max_attempts=1)


def test_origin_access_control_and_cloudfront_permissions(kit: infra.Kit, api_url: tuple[str, str]) -> None:
    cf, lam = kit.client("cloudfront", "us-east-1"), kit.client("lambda")
    function, url = api_url
    oac = cloudfront.ensure_origin_access_control(cf, kit.name("oac"))
    assert oac.action == "created"
    assert cloudfront.ensure_origin_access_control(cf, kit.name("oac")) == cloudfront.OriginAccessControl(
        oac.id, kit.name("oac"), "unchanged"
    )
    first = cloudfront.ensure_distribution(cf, kit.name("a"), cloudfront.Origin(url, oac_id=oac.id), tags=kit.tags)
    second = cloudfront.ensure_distribution(cf, kit.name("b"), cloudfront.Origin(url, oac_id=oac.id), tags=kit.tags)

    assert cloudfront.grant_cloudfront(lam, function, first.arn) == list(cloudfront.CLOUDFRONT_STATEMENTS)
    assert cloudfront.grant_cloudfront(lam, function, first.arn) == []
    assert cloudfront.grant_cloudfront(lam, function, second.arn) == list(cloudfront.CLOUDFRONT_STATEMENTS)
    policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
    arns = [
        s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in policy["Statement"] if s["Sid"].startswith("AllowCloud")
    ]
    assert arns == [second.arn, second.arn]

    assert cloudfront.revoke_public_url_permissions(lam, function) == list(deploy.PUBLIC_URL_STATEMENTS)
    assert cloudfront.revoke_public_url_permissions(lam, function) == []
