"""The learner's endpoints through their own Jupyter server (``{base_url}kit/<host>/<path>``), as on a JupyterHub.

A real Jupyter server with the kit's extension, under a hub-like base URL (``/user/learner/``), in front of the
test session's local cloud: a Function URL and its streamed counter reached path-style, lines arriving one by one;
the Jupyter token and Jupyter's cookies never reach the function; no token, no way in; the AWS API side is not
reachable through it.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.local import control
from infra.server_proxy import data_plane_host, forwarded_query
from tests.jupyter_process import running, server_options

pytestmark = pytest.mark.integration
BASE = "/user/learner/"

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"headers": event["headers"], "cookies": event.get("cookies", []),
                                "query": event.get("rawQueryString"), "path": event["rawPath"],
                                "method": event["requestContext"]["http"]["method"], "body": event.get("body")})}
"""


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory, endpoint: str) -> Iterator[tuple[str, str]]:
    """A Jupyter server with the kit's extension at ``BASE``: ``(its URL, its token)``."""
    folder = tmp_path_factory.mktemp("jupyter")
    port, token = control.free_port(), secrets.token_hex(8)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        *server_options(port, token, folder),
        f"--ServerApp.base_url={BASE}",
        '--ServerApp.jpserver_extensions={"infra.server_proxy": True}',
    ]
    url = f"http://127.0.0.1:{port}{BASE}"
    root = str(Path(__file__).resolve().parents[2])
    with running(command, folder / "server.log", f"{url}api/status", params={"token": token}, cwd=root):
        yield url, token


def _host(url: str) -> str:
    return url.split("//", 1)[1].split("/", 1)[0]


def test_a_function_url_is_reached_path_style_without_the_jupyter_token_or_cookies(jupyter, deploy) -> None:
    url, token = jupyter
    fn = deploy(ECHO)
    host = _host(fn.url)
    answer = httpx.post(
        f"{url}kit/{host}/some/path",
        params={"token": token, "name": "홍길동", "x": "1"},
        headers={"Cookie": "_xsrf=abc; jupyterhub-user-learner=secret; flavour=oat; username-127-0-0-1=s"},
        content=b"posted",
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["path"] == "/some/path" and event["method"] == "POST" and event["body"] == "posted"
    assert event["query"] == "name=%ED%99%8D%EA%B8%B8%EB%8F%99&x=1"  # the token is gone, the rest as it came
    assert event["headers"]["host"] == host
    assert event["cookies"] == ["flavour=oat"]
    assert token not in json.dumps(event) and "secret" not in json.dumps(event)
    assert answer.headers["x-amzn-requestid"]


def test_a_streamed_counter_arrives_line_by_line_through_the_jupyter_server(jupyter, streaming) -> None:
    url, token = jupyter
    _, function_url = streaming("counter.handler", "RESPONSE_STREAM")
    arrivals: list[float] = []
    started = time.monotonic()
    with httpx.stream(
        "GET",
        f"{url}kit/{_host(function_url)}/",
        params={"to": "5", "interval": "0.5"},
        headers={"Authorization": f"token {token}"},
        timeout=30,
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line:
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 5
    assert arrivals[-1] - arrivals[0] > 1.5  # spread over the function's 2 seconds, not all at once at the end
    assert arrivals[0] < arrivals[-1] - 1.0


def test_no_token_no_way_in_and_the_aws_api_side_is_not_reachable(jupyter, deploy) -> None:
    url, token = jupyter
    fn = deploy(ECHO)
    refused = httpx.get(f"{url}kit/{_host(fn.url)}/", timeout=10)
    assert refused.status_code in (302, 403)  # to the login page, or forbidden: never the function
    api = httpx.get(f"{url}kit/lambda.ap-northeast-2.amazonaws.com/2015-03-31/functions", params={"token": token})
    assert api.status_code == 400 and "not a Function URL" in api.text


@pytest.mark.parametrize(
    ("host", "served"),
    [
        ("abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-2.on.aws", True),
        ("d111111abcdef8.cloudfront.net", True),
        ("api.learner.kit-workshop.test", True),
        ("abc123.execute-api.ap-northeast-2.amazonaws.com", True),
        ("lambda.ap-northeast-2.amazonaws.com", False),
        ("127.0.0.1", False),
        ("localhost", False),
        ("evil.example/../x", False),
    ],
)
def test_which_hosts_the_proxy_serves(host: str, served: bool) -> None:
    assert data_plane_host(host) is served


def test_the_token_is_the_only_query_parameter_taken_out() -> None:
    assert forwarded_query("a=1&token=t&b=%ED%95%9C") == "a=1&b=%ED%95%9C"
    assert forwarded_query("a=1&b=%2B") == "a=1&b=%2B"  # untouched when there is no token


def test_a_presigned_aws_iam_url_opens_through_the_jupyter_server(
    jupyter, aws, role_arn, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uuid

    import infra
    from tests.local_cloud import create_python_function, zip_source

    url, token = jupyter
    lam = aws("lambda")
    name = f"hub-iam-{uuid.uuid4().hex[:8]}"
    create_python_function(lam, name, role_arn, zip_source(ECHO))
    try:
        function_url = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
        monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", BASE)
        kit = infra.connect()
        link = kit.presign(function_url + "report?q=a%20b", for_browser=True)
        assert link.startswith(f"{BASE}kit/{_host(function_url)}/report?")
        answer = httpx.get(f"{url.split(BASE)[0]}{link}&token={token}", timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["path"] == "/report"
        unsigned = httpx.get(f"{url}kit/{_host(function_url)}/report", params={"token": token}, timeout=30)
        assert unsigned.status_code == 403  # AWS_IAM still applies behind the Jupyter server
    finally:
        lam.delete_function(FunctionName=name)


def test_every_cookie_header_is_passed_on_as_sent_without_jupyters_own() -> None:
    from tornado.httputil import HTTPHeaders

    from infra.server_proxy import forwarded_headers

    headers = HTTPHeaders()
    headers.add("Cookie", '_xsrf=abc; theme="dark mode"; jupyterhub-session-id=s')
    headers.add("Cookie", "name=%ED%99%8D; username-127-0-0-1=u")
    headers.add("Authorization", "token secret")
    headers.add("X-Name", "a")
    headers.add("X-Name", "b")
    assert forwarded_headers(headers) == {"Cookie": 'theme="dark mode"; name=%ED%99%8D', "X-Name": "a, b"}
