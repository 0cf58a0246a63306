"""API Gateway REST APIs with a Lambda proxy integration, served by the local cloud: the 1.0 event, the
proxy response, API Gateway's own permission, and the integration timeout's 504."""

from __future__ import annotations

import time

import httpx

import infra
from infra import deploy
from infra.kit import LocalCloudTransport
from tests.local_cloud import deploy_handler


def _kit(endpoint: str) -> infra.Kit:
    return infra.Kit(infra.Settings(learner=f"gw{int(time.time() * 1000) % 10**8}"), endpoint=endpoint)


def _counter_api(kit: infra.Kit, timeout_ms: int | None) -> tuple[str, str]:
    lam = kit.client("lambda")
    fn = deploy_handler(kit, "slow_counter", name="slow-counter", role="role", timeout=60)
    api = deploy.ensure_rest_api(
        kit.client("apigateway"), lam, kit.name("counter-api"), function_arn=fn.arn, timeout_ms=timeout_ms
    )
    return fn.name, api.url


def test_a_proxy_integration_answers_through_the_stage_url(endpoint: str) -> None:
    kit = _kit(endpoint)
    _, url = _counter_api(kit, timeout_ms=None)
    client = httpx.Client(transport=LocalCloudTransport(endpoint), timeout=30)
    response = client.get(url + "count/more?to=3&interval=0")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert [line.split()[0] for line in response.text.splitlines()] == ["1", "2", "3"]
    # a browser can open it by its localhost name too
    assert ".execute-api." in kit.browser_url(url) and kit.browser_url(url).startswith("http://")


def test_the_integration_timeout_gives_504_while_the_function_runs_on(endpoint: str) -> None:
    kit = _kit(endpoint)
    name, url = _counter_api(kit, timeout_ms=1000)
    client = httpx.Client(transport=LocalCloudTransport(endpoint), timeout=30)
    started = time.monotonic()
    response = client.get(url + "?to=4&interval=0.5")
    assert time.monotonic() - started < 1.8
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}
    time.sleep(1.5)  # the invocation was not cancelled: it finishes and logs its REPORT
    events = kit.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    assert any(e["message"].startswith("REPORT") for e in events)


def test_without_api_gateways_permission_the_api_answers_500(endpoint: str) -> None:
    kit = _kit(endpoint)
    name, url = _counter_api(kit, timeout_ms=None)
    lam = kit.client("lambda")
    api_id = url.split("//")[1].split(".")[0]
    lam.remove_permission(FunctionName=name, StatementId=f"apigateway-{api_id}")
    client = httpx.Client(transport=LocalCloudTransport(endpoint), timeout=30)
    response = client.get(url + "?to=1")
    assert response.status_code == 500 and response.json() == {"message": "Internal server error"}


def test_an_unknown_stage_is_forbidden(endpoint: str) -> None:
    kit = _kit(endpoint)
    _, url = _counter_api(kit, timeout_ms=None)
    client = httpx.Client(transport=LocalCloudTransport(endpoint), timeout=30)
    response = client.get(url.replace("/prod/", "/nope/"))
    assert response.status_code == 403 and response.json() == {"message": "Forbidden"}
