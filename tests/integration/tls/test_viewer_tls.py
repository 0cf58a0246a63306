"""HTTPS at the local edge, over real sockets: the certificate each server name gets (Python ``ssl`` and curl),
the ACM certificate as issued, ``MinimumProtocolVersion`` on the handshake, and ``ViewerProtocolPolicy`` for
plain HTTP."""

from __future__ import annotations

import datetime
import shutil
import socket
import ssl
import subprocess
import uuid
import warnings
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from infra.kit import LocalCloudTransport
from infra.local import control
from infra.local.acm.issuance import acm_serial
from infra.steps.cloudfront import CustomDomain, Origin, distribution_config
from tests.local_cloud import alias, cname, request

ECHO = """
import json

def handler(event, context):
    headers = event["headers"]
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"path": event["rawPath"], "proto": headers.get("x-forwarded-proto"),
                                "port": headers.get("x-forwarded-port"), "tls": headers.get("x-amzn-tls-version"),
                                "cipher": headers.get("x-amzn-tls-cipher-suite")})}
"""


@pytest.fixture(scope="module")
def cloud(endpoint: str) -> control.LocalCloudInfo:
    info = control.read_state()
    assert info is not None and info.tls_port, "the session's local cloud records its TLS port"
    return info


def client_context(*, maximum: ssl.TLSVersion | None = None, legacy: bool = False) -> ssl.SSLContext:
    """A client that trusts only the learner's local CA; ``legacy`` speaks TLS 1.0/1.1 only."""
    context = control.client_tls_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if legacy:
            context.minimum_version = ssl.TLSVersion(0x0301)
            context.maximum_version = ssl.TLSVersion(0x0302)
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        elif maximum is not None:
            context.maximum_version = maximum
    return context


def handshake(port: int, name: str | None, context: ssl.SSLContext | None = None) -> tuple[str, x509.Certificate, str]:
    """``(version, certificate, cipher)`` of a TLS handshake with SNI ``name``, the hostname checked."""
    context = context or client_context()
    if name is None:
        context.check_hostname = False
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    with raw, context.wrap_socket(raw, server_hostname=name) as tls:
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        return str(tls.version()), x509.load_der_x509_certificate(der), tls.cipher()[0]


def sans(certificate: x509.Certificate) -> list[str]:
    return certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    )


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    return subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def custom_domain(aws, zone, deploy) -> dict[str, Any]:
    """A function behind a distribution with two aliases and their issued us-east-1 certificate."""
    route53, zone_id, zone_name = zone
    api, www = f"api.{zone_name}", f"www.{zone_name}"
    acm = aws("acm", "us-east-1")
    arn = acm.request_certificate(DomainName=api, SubjectAlternativeNames=[www, api], ValidationMethod="DNS")[
        "CertificateArn"
    ]
    for option in acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]:
        cname(route53, zone_id, option["ResourceRecord"]["Name"], option["ResourceRecord"]["Value"])
    fn = deploy(ECHO)
    config = distribution_config(f"tls-{uuid.uuid4().hex[:8]}", Origin(fn.url), domain=CustomDomain((api, www), arn))
    dist = aws("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]
    return {"api": api, "www": www, "arn": arn, "dist": dist, "zone": zone, "fn": fn}


def test_acm_issues_the_certificate_the_edge_presents_for_each_alias(aws, cloud, custom_domain) -> None:
    acm = aws("acm", "us-east-1")
    api, www, arn = custom_domain["api"], custom_domain["www"], custom_domain["arn"]
    described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert described["Status"] == "ISSUED" and described["SubjectAlternativeNames"] == [api, www]
    not_before, not_after = described["NotBefore"], described["NotAfter"]
    assert (not_before.hour, not_before.minute, not_before.second) == (0, 0, 0)  # midnight UTC of the issue day
    assert not_after - not_before == datetime.timedelta(days=198, seconds=-1)
    pem = acm.get_certificate(CertificateArn=arn)
    issued = x509.load_pem_x509_certificate(pem["Certificate"].encode())
    authority = x509.load_pem_x509_certificate(control.ca_certificate().read_bytes())
    assert pem["CertificateChain"].encode().strip() == control.ca_certificate().read_bytes().strip()
    assert issued.issuer == authority.subject and acm_serial(issued.serial_number) == described["Serial"]
    assert issued.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == api
    assert list(issued.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]

    for name in (api, www):  # each alias, by SNI, gets exactly that certificate, and the name checks out
        version, presented, _ = handshake(cloud.tls_port, name)
        assert presented == issued and version == "TLSv1.3"
    # A browser on this machine opens the .localhost twin: same names with .localhost, same issuer and dates.
    _, twin, _ = handshake(cloud.tls_port, f"{api}.localhost")
    assert sans(twin) == [f"{api}.localhost", f"{www}.localhost"] and twin.issuer == authority.subject
    assert (twin.not_valid_before_utc, twin.not_valid_after_utc) == (
        issued.not_valid_before_utc,
        issued.not_valid_after_utc,
    )
    # The distribution's own name gets CloudFront's default certificate.
    _, default, _ = handshake(cloud.tls_port, custom_domain["dist"]["DomainName"])
    assert sans(default) == ["*.cloudfront.net"]

    # The same domain's certificate in Seoul is issued too (same validation record) but never presented.
    seoul, _ = request(aws("acm", "ap-northeast-2"), api)
    seoul_serial = aws("acm", "ap-northeast-2").describe_certificate(CertificateArn=seoul)["Certificate"]["Serial"]
    assert seoul_serial != described["Serial"]
    assert acm_serial(handshake(cloud.tls_port, api)[1].serial_number) == described["Serial"]


def test_a_name_no_distribution_serves_and_a_hello_without_sni_fail_the_handshake(cloud, custom_domain) -> None:
    _, _, zone_name = custom_domain["zone"]
    for name in (f"stray.{zone_name}", None):
        with pytest.raises(ssl.SSLError, match="HANDSHAKE_FAILURE"):
            handshake(cloud.tls_port, name)
    # curl says the same: exit 35, an SSL connect error.
    refused = curl(
        "--cacert",
        str(control.ca_certificate()),
        "--connect-to",
        f"::127.0.0.1:{cloud.tls_port}",
        f"https://stray.{zone_name}/",
    )
    assert refused.returncode == 35 and "handshake failure" in refused.stderr


def test_curl_with_the_local_ca_reaches_the_custom_domain_once_its_alias_record_exists(cloud, custom_domain) -> None:
    route53, zone_id, _ = custom_domain["zone"]
    api = custom_domain["api"]
    ca = str(control.ca_certificate())
    # Before the alias record: the handshake already presents the certificate (CloudFront chooses by SNI) ...
    assert sans(handshake(cloud.tls_port, api)[1])[0] == api
    # ... but nothing resolves the name, so the local cloud answers that it does not.
    before = curl("--cacert", ca, "--connect-to", f"::127.0.0.1:{cloud.tls_port}", f"https://{api}/hello")
    assert before.returncode == 0 and "does not resolve" in before.stdout
    alias(route53, zone_id, api, custom_domain["dist"]["DomainName"])
    got = curl(
        "--cacert",
        ca,
        "--connect-to",
        f"::127.0.0.1:{cloud.tls_port}",
        "-w",
        "\n%{ssl_verify_result}",
        f"https://{api}/hello?x=1",
    )
    body, verified = got.stdout.rsplit("\n", 1)
    assert got.returncode == 0 and verified == "0"
    echoed = httpx.Response(200, content=body).json()
    assert echoed["path"] == "/hello"
    # Without the local CA, curl refuses the certificate, as a browser warns.
    untrusted = curl("--connect-to", f"::127.0.0.1:{cloud.tls_port}", f"https://{api}/hello")
    assert untrusted.returncode == 60


def _distribution(aws, deploy, *, policy: str = "redirect-to-https", minimum: str | None = None) -> dict[str, Any]:
    fn = deploy(ECHO)
    config = distribution_config(f"tls-{uuid.uuid4().hex[:8]}", Origin(fn.url))
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = policy
    if minimum is not None:
        config["ViewerCertificate"]["MinimumProtocolVersion"] = minimum
    return aws("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]


def test_minimum_protocol_version_is_enforced_on_the_handshake(aws, zone, deploy, cloud) -> None:
    route53, zone_id, zone_name = zone
    acm = aws("acm", "us-east-1")
    cloudfront = aws("cloudfront", "us-east-1")
    names = {
        policy: f"{policy.replace('.', '-').replace('_', '-').lower()}.{zone_name}"
        for policy in ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025", "TLSv1")
    }
    for policy, name in names.items():
        arn, record = request(acm, name)
        cname(route53, zone_id, record["Name"], record["Value"])
        fn = deploy(ECHO)
        config = distribution_config(f"tls-{uuid.uuid4().hex[:8]}", Origin(fn.url), domain=CustomDomain((name,), arn))
        config["ViewerCertificate"]["MinimumProtocolVersion"] = policy
        dist = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
        assert dist["DistributionConfig"]["ViewerCertificate"]["MinimumProtocolVersion"] == policy

    legacy = client_context(legacy=True)
    assert handshake(cloud.tls_port, names["TLSv1"], legacy)[0] == "TLSv1.1"  # TLSv1 lets TLS 1.1 in ...
    for policy in ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"):  # ... the others refuse it
        with pytest.raises(ssl.SSLError, match=r"PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL"):
            handshake(cloud.tls_port, names[policy], client_context(legacy=True))
    tls12 = handshake(cloud.tls_port, names["TLSv1.2_2021"], client_context(maximum=ssl.TLSVersion.TLSv1_2))
    assert tls12[0] == "TLSv1.2" and tls12[2] == "ECDHE-RSA-AES128-GCM-SHA256"  # CloudFront's first choice
    with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
        handshake(cloud.tls_port, names["TLSv1.3_2025"], client_context(maximum=ssl.TLSVersion.TLSv1_2))
    assert handshake(cloud.tls_port, names["TLSv1.3_2025"])[0] == "TLSv1.3"

    chacha_only = client_context(maximum=ssl.TLSVersion.TLSv1_2)
    chacha_only.set_ciphers("ECDHE-RSA-CHACHA20-POLY1305")
    assert handshake(cloud.tls_port, names["TLSv1.2_2021"], chacha_only)[2] == "ECDHE-RSA-CHACHA20-POLY1305"
    with pytest.raises(ssl.SSLError, match=r"HANDSHAKE_FAILURE|NO_SHARED_CIPHER"):
        handshake(cloud.tls_port, names["TLSv1.2_2025"], chacha_only)  # 2025 dropped CHACHA20 from TLS 1.2


def test_viewer_protocol_policy_answers_plain_http(aws, deploy, cloud) -> None:
    http = f"http://127.0.0.1:{cloud.port}"
    redirect = _distribution(aws, deploy, policy="redirect-to-https")
    host = redirect["DomainName"]
    with httpx.Client(base_url=http) as plain:
        moved = plain.get("/page?a=1&b=2", headers={"Host": host})
        assert moved.status_code == 301
        assert moved.headers["location"] == f"https://{host}:{cloud.tls_port}/page?a=1&b=2"
        assert moved.headers["server"] == "CloudFront" and moved.headers["x-cache"] == "Redirect from cloudfront"
        assert len(moved.content) == 167 and "<h1>301 Moved Permanently</h1>" in moved.text
        posted = plain.post("/form", headers={"Host": host}, content=b"x=1")
        assert posted.status_code == 307 and posted.headers["location"].endswith("/form")

        only = _distribution(aws, deploy, policy="https-only")
        refused = plain.get("/", headers={"Host": only["DomainName"]})
        assert refused.status_code == 403 and refused.headers["x-cache"] == "Error from cloudfront"

        both = _distribution(aws, deploy, policy="allow-all")
        served = plain.get("/x", headers={"Host": both["DomainName"]})
        assert served.status_code == 200 and served.json()["path"] == "/x"

    with httpx.Client(transport=LocalCloudTransport(http)) as kit_http:  # the kit's client: over TLS, served
        for dist in (redirect, only, both):
            assert kit_http.get(f"https://{dist['DomainName']}/y").json()["path"] == "/y"

    # curl follows the redirect of a browser link to the TLS port and checks the twin certificate.
    twin = host.replace(".cloudfront.net", ".cloudfront.localhost")
    followed = curl(
        "-L",
        "--cacert",
        str(control.ca_certificate()),
        "--connect-to",
        "::127.0.0.1:",
        "-w",
        "\n%{url_effective}",
        f"http://{twin}:{cloud.port}/z",
    )
    body, effective = followed.stdout.rsplit("\n", 1)
    assert followed.returncode == 0 and effective == f"https://{twin}:{cloud.tls_port}/z"
    assert httpx.Response(200, content=body).json()["path"] == "/z"


def test_a_function_url_over_tls_sees_what_the_connection_negotiated(deploy, cloud) -> None:
    fn = deploy(ECHO)
    http = f"http://127.0.0.1:{cloud.port}"
    with httpx.Client(transport=LocalCloudTransport(http)) as client:
        seen = client.get(f"{fn.url}tls").json()
    assert (seen["path"], seen["proto"], seen["port"], seen["tls"]) == ("/tls", "https", str(cloud.tls_port), "TLSv1.3")
    assert seen["cipher"] == "TLS_AES_128_GCM_SHA256"  # CloudFront's order, as AWS records it (tls/openssl.cnf)
    _, certificate, _ = handshake(cloud.tls_port, fn.host)
    assert sans(certificate) == [f"*.lambda-url.{fn.host.split('.')[2]}.on.aws"]
    with pytest.raises(ssl.SSLError, match=r"PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL"):
        handshake(cloud.tls_port, fn.host, client_context(legacy=True))  # TLS 1.2 at least
    # A TLS 1.2 client: the function is told TLS 1.2 and the ECDHE suite, as AWS's example event shows.
    transport = httpx.HTTPTransport(verify=client_context(maximum=ssl.TLSVersion.TLSv1_2))
    got = transport.handle_request(
        httpx.Request(
            "GET",
            f"https://127.0.0.1:{cloud.tls_port}/v12",
            headers={"Host": fn.host},
            extensions={"sni_hostname": fn.host},
        )
    )
    got.read()
    assert got.json()["tls"] == "TLSv1.2" and got.json()["cipher"] == "ECDHE-RSA-AES128-GCM-SHA256"
    # Plain HTTP still reaches it (a choice, so browser links work without trusting the local CA).
    with httpx.Client(base_url=http) as plain:
        assert plain.get("/p", headers={"Host": fn.host}).json()["proto"] == "http"
