"""Headless Chromium opens the custom domain over HTTPS: with the learner's local CA trusted for that browser
profile the page loads; without it the browser refuses the certificate, as the README says it will.

Trust for one profile is Chromium's ``--ignore-certificate-errors-spki-list`` (the SHA-256 of the local CA's
public key; Chromium honours it only with a ``--user-data-dir``): no system trust store is touched.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from infra.local import control
from infra.steps.cloudfront import CustomDomain, Origin, distribution_config
from tests.browser.chromium import CHROMIUM, FLAGS, needs_chromium, trust_local_ca
from tests.local_cloud import alias, cname, request

pytestmark = needs_chromium

PAGE = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/html"},
            "body": "<html><body><p id='where'>" + event["headers"].get("x-forwarded-proto", "?") + " "
                    + event["rawPath"] + "</p></body></html>"}
"""


def open_page(url: str, profile: Path, *extra: str) -> str:
    flags = ["--headless", *FLAGS, f"--user-data-dir={profile}", *extra]
    out = subprocess.run([CHROMIUM, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=90)
    return out.stdout + out.stderr


def test_chromium_opens_the_custom_domain_over_https_with_the_local_ca_trusted(aws, zone, deploy, tmp_path) -> None:
    route53, zone_id, zone_name = zone
    name = f"api.{zone_name}"
    arn, record = request(aws("acm", "us-east-1"), name)
    cname(route53, zone_id, record["Name"], record["Value"])
    fn = deploy(PAGE)
    config = distribution_config(f"br-{uuid.uuid4().hex[:8]}", Origin(fn.url), domain=CustomDomain((name,), arn))
    dist = aws("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]
    alias(route53, zone_id, name, dist["DomainName"])
    info = control.read_state()
    assert info is not None and info.tls_port
    trust = trust_local_ca()

    # The real name, resolved to loopback by the browser (as DNS would send it to CloudFront): the ACM
    # certificate, checked by Chromium, and the page served through the distribution.
    real = f"--host-resolver-rules=MAP {name} 127.0.0.1"
    dom = open_page(f"https://{name}:{info.tls_port}/hello", tmp_path / "trusting", trust, real)
    assert '<p id="where">https /hello</p>' in dom or "https /hello" in dom

    # The link the notebook prints for a browser on this machine: the .localhost twin, same trust.
    dom = open_page(f"https://{name}.localhost:{info.tls_port}/twin", tmp_path / "twin", trust)
    assert "https /twin" in dom

    # Plain HTTP is redirected (redirect-to-https) and the browser follows to the TLS port.
    dom = open_page(f"http://{name}.localhost:{info.port}/moved", tmp_path / "follow", trust)
    assert "https /moved" in dom

    # A profile that does not trust the local CA gets Chromium's certificate error, not the page.
    refused = open_page(f"https://{name}.localhost:{info.tls_port}/hello", tmp_path / "untrusting")
    assert "https /hello" not in refused
    assert "ERR_CERT_AUTHORITY_INVALID" in refused or "not private" in refused.lower()
