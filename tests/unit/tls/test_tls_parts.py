"""The TLS parts of the local cloud one by one: the local certificate authority, CloudFront's security policies
as OpenSSL contexts, the ACM validity shape, the name rules, and the ClientHello probe."""

from __future__ import annotations

import datetime
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509

from infra.local.acm.issuance import VALIDITY_DAYS, validity
from infra.local.http.tls_listener import rehearse, server_name
from infra.local.tls.authority import LocalCertificateAuthority
from infra.local.tls.security_policies import POLICIES, policy, server_context
from infra.local.tls.viewer_certificates import alias_matches, aws_name


def client_hello(name: str | None, *, maximum: ssl.TLSVersion | None = None) -> bytes:
    context = ssl.create_default_context()
    if maximum is not None:
        context.maximum_version = maximum
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname=name)
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


def test_the_authority_is_made_once_and_its_key_is_the_learners_alone(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    first = LocalCertificateAuthority.load_or_create(folder)
    again = LocalCertificateAuthority.load_or_create(folder)
    assert again.certificate == first.certificate  # kept, not remade at each start
    assert stat.S_IMODE((folder / "local-ca-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    constraints = first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0


def test_a_leaf_names_exactly_what_was_asked_in_order_and_chains_to_the_authority(tmp_path: Path) -> None:
    authority = LocalCertificateAuthority.load_or_create(tmp_path)
    start, end = validity(datetime.datetime(2026, 12, 2, 17, 30, tzinfo=datetime.UTC))
    issued = authority.issue(["api.example.test", "*.example.test"], not_before=start, not_after=end)
    leaf = issued.certificate
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["api.example.test", "*.example.test"]
    assert leaf.issuer == authority.certificate.subject
    authority.certificate.public_key().verify(  # signed by the authority's key (ECDSA)
        leaf.signature, leaf.tbs_certificate_bytes, leaf.signature_algorithm_parameters
    )
    assert leaf.not_valid_before_utc == datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
    assert leaf.not_valid_after_utc == datetime.datetime(2027, 6, 17, 23, 59, 59, tzinfo=datetime.UTC)
    assert VALIDITY_DAYS == 198


def test_security_policies_follow_cloudfronts_table() -> None:
    assert set(POLICIES) == {
        "SSLv3",
        "TLSv1",
        "TLSv1_2016",
        "TLSv1.1_2016",
        "TLSv1.2_2018",
        "TLSv1.2_2019",
        "TLSv1.2_2021",
        "TLSv1.2_2025",
        "TLSv1.3_2025",
    }
    assert POLICIES["TLSv1.2_2021"].ciphers == (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    )
    assert "CHACHA20" not in ":".join(POLICIES["TLSv1.2_2025"].ciphers)
    assert POLICIES["TLSv1.3_2025"].minimum == ssl.TLSVersion.TLSv1_3 and not POLICIES["TLSv1.3_2025"].ciphers
    assert "DES-CBC3-SHA" in POLICIES["TLSv1"].ciphers and "DES-CBC3-SHA" not in POLICIES["TLSv1_2016"].ciphers
    assert POLICIES["TLSv1.1_2016"].minimum == ssl.TLSVersion(0x0302)
    assert policy(None).name == "TLSv1" and policy("nonsense").name == "TLSv1"


def test_a_policy_context_refuses_a_client_hello_below_its_minimum(tmp_path: Path) -> None:
    authority = LocalCertificateAuthority.load_or_create(tmp_path)
    start, end = validity()
    issued = authority.issue(["a.example.test"], not_before=start, not_after=end)
    strict = server_context(POLICIES["TLSv1.3_2025"], issued.certificate_pem, issued.private_key_pem, b"")
    lenient = server_context(POLICIES["TLSv1.2_2021"], issued.certificate_pem, issued.private_key_pem, b"")
    hello = client_hello("a.example.test", maximum=ssl.TLSVersion.TLSv1_2)
    alert = rehearse(strict, hello)
    assert alert is not None and alert[:1] == b"\x15"  # a TLS alert record
    assert alert[-1:] == b"\x46"  # protocol_version (70)
    assert rehearse(lenient, hello) is None  # the handshake would go on


def test_the_probe_reads_the_server_name_or_says_it_needs_more() -> None:
    hello = client_hello("api.example.test")
    assert server_name(hello) == (True, "api.example.test")
    assert server_name(hello[:40]) == (False, None)
    assert server_name(client_hello(None)) == (True, None)
    tls11 = ssl.create_default_context()  # a TLS 1.1 hello still yields its name (Python's 1.2 default would not)
    with pytest.warns(DeprecationWarning):
        tls11.minimum_version = ssl.TLSVersion.TLSv1
        tls11.maximum_version = ssl.TLSVersion.TLSv1_1
    tls11.set_ciphers("DEFAULT:@SECLEVEL=0")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    with pytest.raises(ssl.SSLWantReadError):
        tls11.wrap_bio(incoming, outgoing, server_hostname="old.example.test").do_handshake()
    assert server_name(outgoing.read()) == (True, "old.example.test")
    assert server_name(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == (True, None)  # not TLS: nothing to read


def test_names_and_their_localhost_twins() -> None:
    assert aws_name("d111111abcdef8.cloudfront.localhost") == ("d111111abcdef8.cloudfront.net", True)
    assert aws_name("abc.lambda-url.ap-northeast-2.localhost") == ("abc.lambda-url.ap-northeast-2.on.aws", True)
    assert aws_name("a1b2c3d4e5.execute-api.us-east-1.localhost") == (
        "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        True,
    )
    assert aws_name("api.example.test.localhost") == ("api.example.test", True)
    assert aws_name("api.example.test") == ("api.example.test", False)
    assert alias_matches("*.example.test", "api.example.test")
    assert not alias_matches("*.example.test", "a.b.example.test") and not alias_matches(
        "*.example.test", "example.test"
    )
    assert alias_matches("API.example.test", "api.example.test")
