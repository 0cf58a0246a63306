"""Local mode never leaves the machine, even behind an institutional proxy.

With ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` pointing at a proxy that is not there, every call the kit
makes in local mode (boto3 clients, ``kit.http()``, the local cloud's health and attach checks) still goes
to loopback directly and succeeds.
"""

from __future__ import annotations

import pytest

import infra
from infra.local import control

pytestmark = pytest.mark.integration
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, so any proxied call would fail


def test_every_local_call_goes_direct_whatever_the_proxy_variables_say(
    monkeypatch: pytest.MonkeyPatch, deploy, endpoint: str
) -> None:
    function = deploy("def handler(event, context):\n    return {'statusCode': 200, 'body': 'direct'}\n")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, NOWHERE)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert control.running() is not None
    kit = infra.connect()
    assert kit.client("lambda").get_function(FunctionName=function.name)["Configuration"]["FunctionName"]
    with kit.http() as http:
        assert http.get(function.url).text == "direct"
