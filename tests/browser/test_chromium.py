"""A real browser (headless Chromium) opens Function URLs of the local cloud through ``*.localhost`` names.

Skipped where Chromium is not installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, FLAGS, needs_chromium, trust_local_ca
from tests.local_cloud import Deployed

pytestmark = needs_chromium

API = """
import json

def handler(event, context):
    method = event["requestContext"]["http"]["method"]
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"method": method, "body": event.get("body")})}
"""


def dump_dom(url: str, profile: Path, wait_ms: int = 0, *extra: str) -> str:
    """The DOM Chromium ends up with after loading ``url`` (and running its scripts)."""
    flags = ["--headless", *FLAGS, f"--user-data-dir={profile}", *extra]
    if wait_ms:
        flags.append(f"--virtual-time-budget={wait_ms}")
    out = subprocess.run([CHROMIUM, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture
def page_origin(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain web server on another loopback port: the origin of a page that calls the URL."""
    root = tmp_path / "site"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()


def test_the_browser_opens_a_function_url_by_its_localhost_name(deploy, tmp_path: Path) -> None:
    fn: Deployed = deploy(API)
    dom = dump_dom(fn.local_url("/"), tmp_path / "profile")
    assert '{"method": "GET", "body": null}' in dom


CALLER = """<!doctype html><html><body><pre id="out">pending</pre><script>
fetch("{url}", {{method: "POST", headers: {{"content-type": "application/json"}}, body: JSON.stringify({{hi: 1}})}})
  .then(r => r.text()).then(t => document.getElementById("out").textContent = "ok " + t)
  .catch(e => document.getElementById("out").textContent = "blocked " + e.name);
</script></body></html>"""


def test_a_page_on_another_origin_calls_the_url_only_when_cors_allows_it(
    deploy, aws, page_origin, tmp_path: Path
) -> None:
    origin, root = page_origin
    fn: Deployed = deploy(API)
    (root / "caller.html").write_text(CALLER.format(url=fn.local_url("/")))

    blocked = dump_dom(f"{origin}/caller.html", tmp_path / "p1", wait_ms=5000)
    assert "blocked TypeError" in blocked

    aws("lambda").update_function_url_config(
        FunctionName=fn.name,
        Cors={"AllowOrigins": [origin], "AllowMethods": ["POST"], "AllowHeaders": ["content-type"]},
    )
    allowed = dump_dom(f"{origin}/caller.html", tmp_path / "p2", wait_ms=5000)
    text = allowed.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]
    assert text.startswith("ok ")
    assert json.loads(text[3:].replace("&quot;", '"')) == {"method": "POST", "body": '{"hi":1}'}


def test_the_browser_opens_a_custom_domain_by_its_localhost_name(deploy, aws, endpoint, tmp_path: Path) -> None:
    """``http://api.<zone>.localhost:PORT/`` reaches the distribution Route 53 names (through its redirect to HTTPS)."""
    import uuid

    from infra import certificates, cloudfront, dns

    fn: Deployed = deploy(API)
    route53, acm, cf = aws("route53"), aws("acm", "us-east-1"), aws("cloudfront", "us-east-1")
    zone_name = f"b{uuid.uuid4().hex[:8]}.test"
    zone_id = route53.create_hosted_zone(Name=zone_name, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    name = f"api.{zone_name}"
    cert = certificates.request_certificate(acm, [name], tags={})
    for record in certificates.validation_records(acm, cert.arn):
        dns.upsert_cname(route53, zone_id, record.name, record.value)
    assert fn.url is not None
    domain = cloudfront.CustomDomain((name,), cert.arn)
    dist = cloudfront.ensure_distribution(cf, f"browser-{zone_name}", cloudfront.Origin(fn.url), tags={}, domain=domain)
    dns.upsert_alias_to_distribution(route53, zone_id, name, dist.domain_name)
    port = endpoint.rsplit(":", 1)[1]
    # the distribution redirects HTTP to HTTPS (the TLS port): a profile that trusts the local CA follows it
    dom = dump_dom(f"http://{name}.localhost:{port}/", tmp_path / "profile", 0, trust_local_ca())
    assert '{"method": "GET", "body": null}' in dom
