"""Cleanup through the paths a user takes: notebook 10 for one of two learners, and ``python -m infra.steps.teardown``
killed half-way and run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import infra
from infra import certificates, cloudfront, deploy, dns, teardown
from infra.steps import versions
from tests.local_cloud import deploy_handler

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.integration


@pytest.fixture
def domain() -> str:
    """A hosted zone of this test's own (the notebooks' kit-workshop.test stays untouched)."""
    return f"td{uuid.uuid4().hex[:8]}.test"


def learner_kit(endpoint: str, learner: str, domain: str) -> infra.Kit:
    return infra.Kit(infra.Settings(learner=learner, domain=domain), endpoint=endpoint)


def build_world(kit: infra.Kit) -> str:
    """What the notebooks create, in small: every kind of resource the cleanup must remove; returns the URL of
    notebook 08's alias (a function with versions, an alias with a URL of its own and provisioned concurrency)."""
    lam, iam = kit.client("lambda"), kit.client("iam")
    cf, acm, route53 = kit.client("cloudfront", "us-east-1"), kit.client("acm", "us-east-1"), kit.client("route53")
    fn = deploy_handler(kit, "api")
    url = deploy.ensure_function_url(lam, fn.name).url
    deploy.ensure_public_url_permissions(lam, fn.name)
    assert kit.http().get(url + "hello").status_code == 200  # the function runs: its log group exists
    oac = cloudfront.ensure_origin_access_control(cf, kit.name("lambda-url-oac"))
    zone = dns.ensure_hosted_zone(route53, kit.settings.domain, tags={"kit": "lambda-url-kit"})
    name = kit.settings.custom_domain("api")
    cert = certificates.request_certificate(acm, [name], tags=kit.tags)
    for record in certificates.validation_records(acm, cert.arn):
        dns.upsert_cname(route53, zone.id, record.name, record.value)
    certificates.wait_issued(acm, cert.arn, delay=0)
    dist = cloudfront.ensure_distribution(
        cf,
        kit.name("api-cdn"),
        cloudfront.Origin(url, oac_id=oac.id),
        tags=kit.tags,
        domain=cloudfront.CustomDomain((name,), cert.arn),
    )
    dns.upsert_alias_to_distribution(route53, zone.id, name, dist.domain_name)
    deploy.ensure_rest_api(kit.client("apigateway"), lam, kit.name("counter-api"), function_arn=fn.arn, tags=kit.tags)
    user = deploy.ensure_user_with_fresh_key(iam, kit.name("reader"), tags=kit.tags)
    policy = iam.create_policy(
        PolicyName=kit.name("invoke"), PolicyDocument=json.dumps(deploy.invoke_url_policy(fn.arn))
    )
    iam.attach_user_policy(UserName=user.user_name, PolicyArn=policy["Policy"]["Arn"])
    release = deploy_handler(kit, "release")
    number = versions.publish_version(lam, release.name).number
    versions.ensure_alias(lam, release.name, "live", number)
    alias_url = deploy.ensure_function_url(lam, release.name, qualifier="live").url
    deploy.ensure_public_url_permissions(lam, release.name, qualifier="live")
    versions.ensure_provisioned_concurrency(lam, release.name, "live", 1)
    assert kit.http().get(alias_url).json()["invoked_as"] == "live"
    return alias_url


def kinds(resources: list[teardown.Resource]) -> set[str]:
    return {r.kind.split(" (")[0] for r in resources}


EVERY_KIND = {
    "DNS record",
    "distribution",
    "origin access control",
    "certificate",
    "REST API",
    "function",
    "user",
    "role",
    "policy",
    "log group",
}


def test_notebook_10_removes_one_learners_resources_and_leaves_the_others(endpoint, domain, monkeypatch) -> None:
    first = f"a{uuid.uuid4().hex[:6]}"
    second = first + "b"  # "<first>b-..." never starts with "<first>-"
    kits = {learner: learner_kit(endpoint, learner, domain) for learner in (first, second)}
    alias_urls = {learner: build_world(kit) for learner, kit in kits.items()}
    before = {learner: teardown.Teardown(kit).inventory() for learner, kit in kits.items()}
    assert kinds(before[first]) == EVERY_KIND == kinds(before[second])

    monkeypatch.setenv("KIT_LEARNER", first)
    monkeypatch.setenv("KIT_DOMAIN", domain)
    notebook = nbformat.read(ROOT / "notebooks" / "10_cleanup.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert f"nothing of {first} is left" in printed
    assert "deleted on the second run: 0" in printed

    assert teardown.Teardown(kits[first]).inventory() == []
    assert teardown.Teardown(kits[second]).inventory() == before[second]
    assert kits[first].http().get(alias_urls[first]).status_code == 403  # the alias's URL went with its function
    assert kits[second].http().get(alias_urls[second]).status_code == 200
    assert kits[second].http().get(f"https://{kits[second].settings.custom_domain('api')}/hello").status_code == 200


def _teardown(learner: str, domain: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KIT_LEARNER": learner, "KIT_DOMAIN": domain, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "infra.steps.teardown", "--yes"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_teardown_killed_between_disabling_and_deleting_is_finished_by_the_next(endpoint, domain) -> None:
    learner = f"k{uuid.uuid4().hex[:6]}"
    kit = learner_kit(endpoint, learner, domain)
    build_world(kit)
    cf = kit.client("cloudfront", "us-east-1")

    killed = _teardown(learner, domain)
    assert killed.stdout is not None
    seen = []
    for line in killed.stdout:
        seen.append(line)
        if line.startswith("disabled distribution"):
            killed.send_signal(signal.SIGKILL)
            break
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL, "".join(seen)

    left = teardown.Teardown(kit).inventory()
    assert "DNS record" not in kinds(left)  # done before the kill
    (dist,) = [r for r in left if r.kind == "distribution"]
    assert cf.get_distribution_config(Id=dist.id)["DistributionConfig"]["Enabled"] is False  # disabled, not deleted
    assert {"origin access control", "certificate", "function", "role", "log group"} <= kinds(left)

    finished = _teardown(learner, domain)
    output, _ = finished.communicate(timeout=300)
    assert finished.returncode == 0, output
    assert f"deleted distribution {kit.name('api-cdn')}" in output
    assert (
        "left: {'route53': 0, 'cloudfront': 0, 'acm': 0, 'apigateway': 0, 'lambda': 0, 'iam': 0, 'logs': 0}" in output
    )
    assert teardown.Teardown(kit).inventory() == []

    again = _teardown(learner, domain)
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0 and f"0 resources of learner '{learner}'" in output, output
