"""The kit's clients: local mode never leaves the machine; aws mode warns before the first change."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import boto3
import httpx
import pytest
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials

from infra import kit as kit_module
from infra.kit import COST_WARNING, Kit, LocalCloudTransport, LocalModeViolation
from infra.local.iam.credentials import LocalCredentials
from infra.settings import Settings

URL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-2.on.aws"


def _recording_transport(
    port: int = 4599, resolvable: tuple[str, ...] = ()
) -> tuple[LocalCloudTransport, list[httpx.Request]]:
    """A transport whose local cloud is a fake: it records requests and resolves only ``resolvable``."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/_kit/resolve":
            assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE22/")
            name = request.url.params["name"]
            return httpx.Response(200 if name in resolvable else 404, json={"name": name})
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    transport = LocalCloudTransport(f"http://127.0.0.1:{port}", Credentials("AKIAEXAMPLEEXAMPLE22", "secret"))
    transport._inner = httpx.MockTransport(answer)  # type: ignore[assignment]
    return transport, seen


# --- LocalCloudTransport -----------------------------------------------------------------------------------


def test_a_function_url_goes_to_the_local_cloud_keeping_its_host() -> None:
    transport, seen = _recording_transport(4599)
    with httpx.Client(transport=transport) as client:
        response = client.get(f"https://{URL_HOST}/x?y=1")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert len(seen) == 1
    sent = seen[0]
    assert str(sent.url) == "http://127.0.0.1:4599/x?y=1"
    assert sent.url.scheme == "http"
    assert sent.url.host == "127.0.0.1"
    assert sent.url.port == 4599
    assert sent.url.raw_path == b"/x?y=1"
    assert sent.headers["host"] == URL_HOST
    assert sent.method == "GET"


def test_a_post_keeps_its_method_body_and_headers() -> None:
    transport, seen = _recording_transport(4600)
    with httpx.Client(transport=transport) as client:
        client.post(f"https://{URL_HOST}/items", json={"a": 1}, headers={"x-custom": "v"})
    sent = seen[0]
    assert str(sent.url) == "http://127.0.0.1:4600/items"
    assert sent.method == "POST"
    assert sent.content == b'{"a":1}'
    assert sent.headers["x-custom"] == "v"
    assert sent.headers["host"] == URL_HOST


@pytest.mark.parametrize(
    "host",
    [
        "d111111abcdef8.cloudfront.net",
        "lambda.ap-northeast-2.amazonaws.com",
        "abc.lambda-url.ap-northeast-2.localhost",
    ],
)
def test_other_aws_names_go_to_the_local_cloud(host: str) -> None:
    transport, seen = _recording_transport(4601)
    with httpx.Client(transport=transport) as client:
        client.get(f"https://{host}/")
    assert str(seen[0].url) == "http://127.0.0.1:4601/"
    assert seen[0].headers["host"] == host


def test_loopback_is_sent_as_it_is() -> None:
    transport, seen = _recording_transport(4602)
    with httpx.Client(transport=transport) as client:
        client.get("http://127.0.0.1:9999/_kit/health")
    assert str(seen[0].url) == "http://127.0.0.1:9999/_kit/health"


@pytest.mark.parametrize("url", ["https://example.com/", "http://on.aws.example.com/", "https://evil-on.aws/"])
def test_a_name_the_local_route53_does_not_resolve_fails_as_dns_does(url: str) -> None:
    transport, seen = _recording_transport()
    host = httpx.URL(url).host
    with httpx.Client(transport=transport) as client, pytest.raises(httpx.ConnectError) as caught:
        client.get(url)
    assert str(caught.value).startswith(f"[Errno -2] Name or service not known: {host}")
    assert seen == []


def test_a_custom_domain_route53_resolves_goes_to_the_local_cloud_keeping_its_host() -> None:
    transport, seen = _recording_transport(4604, resolvable=("api.alice.kit-workshop.test",))
    with httpx.Client(transport=transport) as client:
        client.get("https://api.alice.kit-workshop.test/hello")
    assert str(seen[0].url) == "http://127.0.0.1:4604/hello"
    assert seen[0].headers["host"] == "api.alice.kit-workshop.test"


def test_kit_http_uses_the_local_cloud_transport_in_local_mode() -> None:
    kit = Kit(Settings(), endpoint="http://127.0.0.1:4603")
    with kit.http() as client:
        transport = client._transport
        assert isinstance(transport, LocalCloudTransport)
        assert transport._port == 4603
        with pytest.raises(httpx.ConnectError):
            client.get("https://example.com/")


# --- browser_url -------------------------------------------------------------------------------------------


def test_browser_url_maps_on_aws_to_localhost_and_the_port() -> None:
    kit = Kit(Settings(), endpoint="http://127.0.0.1:4599")
    assert kit.browser_url(f"https://{URL_HOST}/x?y=1") == (
        "http://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-2.localhost:4599/x?y=1"
    )
    assert kit.browser_url(f"https://{URL_HOST}") == (
        "http://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-2.localhost:4599/"
    )
    assert (
        kit.browser_url("https://d111111abcdef8.cloudfront.net/a/b")
        == "http://d111111abcdef8.cloudfront.localhost:4599/a/b"  # a local cloud without a TLS port
    )
    with_tls = Kit(Settings(), endpoint="http://127.0.0.1:4599", tls_port=4600)
    assert (
        with_tls.browser_url("https://d111111abcdef8.cloudfront.net/a/b")
        == "https://d111111abcdef8.cloudfront.localhost:4600/a/b"  # CloudFront wants HTTPS: the TLS port
    )
    assert with_tls.browser_url(f"https://{URL_HOST}/x").startswith("http://")  # a URL opens over HTTP


def test_browser_url_of_a_custom_domain_is_its_localhost_name() -> None:
    kit = Kit(Settings(), endpoint="http://127.0.0.1:4599", tls_port=4600)
    assert kit.browser_url("https://api.alice.kit-workshop.test/x") == (
        "https://api.alice.kit-workshop.test.localhost:4600/x"
    )


def test_curl_trusts_the_local_ca_and_connects_to_the_tls_port() -> None:
    kit = Kit(Settings(), endpoint="http://127.0.0.1:4599", tls_port=4600)
    command = kit.curl("https://api.alice.kit-workshop.test/x")
    assert command.startswith("curl --cacert ") and "/tls/local-ca.pem --connect-to ::127.0.0.1:4600 " in command
    assert command.endswith(" https://api.alice.kit-workshop.test/x")
    assert (
        Kit(Settings(mode="aws", learner="alice"), _session=object()).curl("https://x.test/") == "curl https://x.test/"
    )


def test_browser_url_in_aws_mode_is_the_url_itself() -> None:
    kit = Kit(Settings(mode="aws", learner="alice"), _session=object())
    assert kit.browser_url(f"https://{URL_HOST}/x?y=1") == f"https://{URL_HOST}/x?y=1"


# --- local-mode boto3 clients ------------------------------------------------------------------------------


def test_the_loopback_hook_refuses_aws_and_lets_loopback_through() -> None:
    with pytest.raises(LocalModeViolation) as caught:
        kit_module._refuse_non_loopback(SimpleNamespace(url="https://lambda.us-east-1.amazonaws.com/"))
    assert str(caught.value) == (
        "local mode never calls AWS, but a request was about to go to lambda.us-east-1.amazonaws.com"
    )
    for url in ("http://127.0.0.1:4599/2015-03-31/functions", "http://localhost:1/", "http://[::1]:4599/"):
        assert kit_module._refuse_non_loopback(SimpleNamespace(url=url)) is None


def test_a_local_mode_client_has_the_hook_registered_before_send() -> None:
    mine = LocalCredentials("AKIAEXAMPLEEXAMPLE22", "a-secret-of-this-learner")
    kit = Kit(Settings(learner="alice"), endpoint="http://127.0.0.1:1", _local_credentials=mine)
    lam = kit.client("lambda")
    assert lam.meta.endpoint_url == "http://127.0.0.1:1"
    assert lam.meta.region_name == "ap-northeast-2"
    assert lam._request_signer._credentials.access_key == "AKIAEXAMPLEEXAMPLE22"
    with pytest.raises(LocalModeViolation):
        lam.meta.events.emit(
            "before-send.lambda.ListFunctions", request=SimpleNamespace(url="https://lambda.us-east-1.amazonaws.com/")
        )
    responses = lam.meta.events.emit(
        "before-send.lambda.ListFunctions", request=SimpleNamespace(url="http://127.0.0.1:1/2015-03-31/functions/")
    )
    assert kit_module._refuse_non_loopback in [handler for handler, _ in responses]
    assert kit.client("sts", region="us-west-2").meta.region_name == "us-west-2"


# --- aws mode: the cost banner -----------------------------------------------------------------------------


class _FakeSts:
    def __init__(self) -> None:
        self.calls = 0

    def get_caller_identity(self) -> dict[str, str]:
        self.calls += 1
        return {"Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/alice", "UserId": "AIDA"}


class _FakeSession:
    def __init__(self) -> None:
        self.sts = _FakeSts()
        self.clients: list[tuple[str, dict[str, Any]]] = []

    def client(self, service: str, **kwargs: Any) -> Any:
        self.clients.append((service, kwargs))
        if service == "sts":
            return self.sts
        return boto3.session.Session().client(
            service, aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", **kwargs
        )


BANNER = f"aws mode: account 111122223333, region us-east-1, learner prefix 'alice'.\n{COST_WARNING}\n"


def test_the_cost_banner_shows_once_before_the_first_change(capsys: pytest.CaptureFixture[str]) -> None:
    session = _FakeSession()
    kit = Kit(Settings(mode="aws", learner="alice", region="us-east-1"), _session=session)

    kit._cost_banner(model=SimpleNamespace(name="GetFunction"))
    kit._cost_banner(model=SimpleNamespace(name="ListFunctions"))
    assert capsys.readouterr().out == ""
    assert session.sts.calls == 0

    kit._cost_banner(model=SimpleNamespace(name="CreateFunction"))
    assert capsys.readouterr().out == BANNER
    assert session.clients == [("sts", {"region_name": "us-east-1"})]
    assert session.sts.calls == 1

    kit._cost_banner(model=SimpleNamespace(name="CreateFunction"))
    kit._cost_banner(model=SimpleNamespace(name="PutFunctionConcurrency"))
    assert capsys.readouterr().out == ""
    assert session.sts.calls == 1


@pytest.mark.parametrize(
    "operation",
    [
        "CreateRole",
        "PutRolePolicy",
        "AddPermission",
        "UpdateFunctionCode",
        "PublishVersion",
        "RequestCertificate",
        "AttachRolePolicy",
        "TagResource",
        "AssociateWebACL",
        "ChangeResourceRecordSets",
    ],
)
def test_every_kind_of_change_shows_the_banner(operation: str, capsys: pytest.CaptureFixture[str]) -> None:
    kit = Kit(Settings(mode="aws", learner="alice", region="us-east-1"), _session=_FakeSession())
    kit._cost_banner(model=SimpleNamespace(name=operation))
    assert capsys.readouterr().out == BANNER


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> list[bytes]:
        return [self.body]


def test_an_aws_mode_client_prints_the_banner_before_its_first_mutating_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    session = _FakeSession()
    kit = Kit(Settings(mode="aws", learner="alice", region="us-east-1"), _session=session)
    lam = kit.client("lambda")
    assert session.clients[0][0] == "lambda"
    assert session.clients[0][1]["region_name"] == "us-east-1"
    sent: list[tuple[str, str]] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        # Stands in for AWS (nothing leaves the machine); records what was printed before each request.
        sent.append((request.url, capsys.readouterr().out))
        if request.method == "GET":
            return AWSResponse(request.url, 200, {"content-type": "application/json"}, _Raw(b'{"Functions": []}'))
        return AWSResponse(request.url, 204, {}, _Raw(b""))

    lam.meta.events.register("before-send", answer)
    arn = "arn:aws:lambda:us-east-1:111122223333:function:alice-api"
    assert lam.list_functions()["Functions"] == []
    lam.tag_resource(Resource=arn, Tags={"kit": "lambda-url-kit"})
    lam.tag_resource(Resource=arn, Tags={"learner": "alice"})
    assert [out for _, out in sent] == ["", BANNER, ""]
    assert sent[0][0] == "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions"
    assert capsys.readouterr().out == ""
    assert session.sts.calls == 1


def test_sigv4_sends_the_query_in_canonical_encoding_so_aws_computes_the_same_signature() -> None:
    from infra.signing import SigV4, canonical_query

    assert canonical_query("greeting=%EC%95%88%EB%85%95+%EC%84%B8%EA%B3%84%21&a=1%2B1&b=&verbose") == (
        "greeting=%EC%95%88%EB%85%95%20%EC%84%B8%EA%B3%84%21&a=1%2B1&b=&verbose"
    )
    request = httpx.Request("GET", "https://x.lambda-url.ap-northeast-2.on.aws/", params={"q": "안녕 세계"})
    assert request.url.query == b"q=%EC%95%88%EB%85%95+%EC%84%B8%EA%B3%84"  # httpx writes a space as +
    signed = next(SigV4(Credentials("AKIDEXAMPLE", "secret"), "ap-northeast-2").auth_flow(request))
    assert signed.url.query == b"q=%EC%95%88%EB%85%95%20%EC%84%B8%EA%B3%84"
    assert signed.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")


def test_a_url_written_in_korean_is_presigned_for_the_path_a_browser_sends() -> None:
    from urllib.parse import urlsplit

    from infra.signing import presign, wire_url

    assert (
        wire_url("https://x.on.aws/인사/안녕?name=홍길동")
        == "https://x.on.aws/%EC%9D%B8%EC%82%AC/%EC%95%88%EB%85%95?name=홍길동"
    )
    assert wire_url("https://x.on.aws/%EC%9D%B8/a%20b") == "https://x.on.aws/%EC%9D%B8/a%20b"  # already encoded: kept
    signed = presign("https://x.on.aws/인사?name=홍길동", Credentials("AKIDEXAMPLE", "secret"), "ap-northeast-2")
    assert urlsplit(signed).path == "/%EC%9D%B8%EC%82%AC"
    assert "name=%ED%99%8D%EA%B8%B8%EB%8F%99" in urlsplit(signed).query


def test_on_a_jupyterhub_browser_urls_go_through_the_learners_jupyter_server(monkeypatch) -> None:
    kit = Kit(Settings(), endpoint="http://127.0.0.1:4599")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL", raising=False)
    assert kit.browser_url(f"https://{URL_HOST}/x?y=1") == f"/user/alice/kit/{URL_HOST}/x?y=1"
    assert kit.browser_url("https://d111111abcdef8.cloudfront.net") == "/user/alice/kit/d111111abcdef8.cloudfront.net/"
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/")
    assert kit.browser_url("https://api.alice.kit-workshop.test/hello") == (
        "https://hub.example.org/user/alice/kit/api.alice.kit-workshop.test/hello"
    )
