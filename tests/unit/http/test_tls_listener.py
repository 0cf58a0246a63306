"""The TLS listener over real sockets: the context chosen by SNI answers, the request knows its TLS, a refusal is
a real TLS alert, bytes that are not TLS close the connection, and connections still in their hello are capped."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from pathlib import Path

import pytest

from infra.local.http import tls_listener
from infra.local.http.tls_listener import serve_https
from infra.local.http.types import HttpRequest, HttpResponse
from infra.local.tls.authority import LocalCertificateAuthority
from infra.local.tls.security_policies import POLICIES, server_context


@pytest.fixture
def authority(tmp_path: Path) -> LocalCertificateAuthority:
    return LocalCertificateAuthority.load_or_create(tmp_path / "tls")


def contexts(authority: LocalCertificateAuthority) -> dict[str, ssl.SSLContext]:
    now = datetime.datetime.now(datetime.UTC)
    made = {}
    for name, policy in (("a.example.test", "TLSv1.2_2021"), ("b.example.test", "TLSv1.3_2025")):
        issued = authority.issue(
            [name], not_before=now - datetime.timedelta(hours=1), not_after=now + datetime.timedelta(days=1)
        )
        made[name] = server_context(POLICIES[policy], issued.certificate_pem, issued.private_key_pem, issued.chain_pem)
    return made


async def echo_tls(request: HttpRequest) -> HttpResponse:
    tls = request.tls
    body = f"{tls.server_name} {tls.version}" if tls is not None else "plain"
    return HttpResponse(200, [("Content-Type", "text/plain")], body.encode())


def serve(authority: LocalCertificateAuthority, scenario, **options):  # type: ignore[no-untyped-def]
    chosen = contexts(authority)

    async def main():  # type: ignore[no-untyped-def]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port, close = await serve_https(echo_tls, sock=sock, choose=chosen.get, **options)
        try:
            return await scenario(port)
        finally:
            await close()

    return asyncio.run(main())


def client(authority: LocalCertificateAuthority, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(authority.certificate_path))
    if maximum is not None:
        context.maximum_version = maximum
    return context


async def get(port: int, name: str, context: ssl.SSLContext) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname=name)
    writer.write(f"GET / HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return answer


def test_the_name_chooses_the_certificate_and_the_request_knows_its_tls(authority) -> None:
    async def scenario(port: int) -> tuple[bytes, bytes]:
        return await get(port, "a.example.test", client(authority)), await get(
            port, "b.example.test", client(authority)
        )

    first, second = serve(authority, scenario)
    assert first.endswith(b"a.example.test TLSv1.3") and second.endswith(b"b.example.test TLSv1.3")


def test_a_refused_handshake_ends_with_the_alert_not_an_eof(authority) -> None:
    async def scenario(port: int) -> list[str]:
        reasons = []
        for name, maximum in (("b.example.test", ssl.TLSVersion.TLSv1_2), ("nobody.example.test", None)):
            try:
                await get(port, name, client(authority, maximum))
            except ssl.SSLError as error:
                reasons.append(str(error.reason))
        return reasons

    assert serve(authority, scenario) == ["TLSV1_ALERT_PROTOCOL_VERSION", "SSLV3_ALERT_HANDSHAKE_FAILURE"]


def test_plain_http_to_the_tls_port_is_closed_without_an_answer(authority) -> None:
    async def scenario(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: a.example.test\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        return answer

    answer = serve(authority, scenario)
    assert b"HTTP/1.1" not in answer  # at most a TLS alert record, never an HTTP answer


def test_connections_still_saying_hello_are_capped(authority, monkeypatch) -> None:
    monkeypatch.setattr(tls_listener, "HEAD_TIMEOUT", 30.0)

    async def scenario(port: int) -> tuple[bytes, bytes]:
        silent = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]  # never send a hello
        await asyncio.sleep(0.2)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)  # the third is over the cap
        dropped = await asyncio.wait_for(reader.read(), 5)
        for _, w in silent:
            w.close()
        writer.close()
        await asyncio.sleep(0.2)
        return dropped, await get(port, "a.example.test", client(authority))  # room again once they left

    dropped, served = serve(authority, scenario, max_connections=2)
    assert dropped == b"" and served.endswith(b"a.example.test TLSv1.3")
