"""The kit's HTTP/1.1 server: parsing what clients and runtimes send, and answering over a real socket."""

from __future__ import annotations

import asyncio
import socket

import pytest

from infra.local.http.server import BadRequest, RequestParser, encode_response, serve_http
from infra.local.http.types import HttpRequest, HttpResponse


def parse(data: bytes) -> list[tuple[HttpRequest, bool]]:
    parser = RequestParser()
    parser.feed(data)
    return [(message.request("10.0.0.1"), message.keep_alive) for message in parser.ready]


def test_a_sized_body_and_keep_alive() -> None:
    [(request, keep)] = parse(b"POST /a/b?x=1&x=2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
    assert (request.method, request.path, request.query, request.body) == ("POST", "/a/b", "x=1&x=2", b"hello")
    assert request.headers == (("Host", "h"), ("Content-Length", "5"))
    assert request.source_ip == "10.0.0.1" and keep is True


def test_a_chunked_body_with_trailers() -> None:
    data = (
        b"POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: Lambda-Runtime-Function-Error-Type\r\n\r\n"
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nLambda-Runtime-Function-Error-Type: Runtime.Boom\r\n\r\n"
    )
    [(request, _)] = parse(data)
    assert request.body == b"hello world"
    assert request.header("Lambda-Runtime-Function-Error-Type") == "Runtime.Boom"


def test_requests_arriving_in_pieces_and_pipelined() -> None:
    parser = RequestParser()
    raw = b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nConnection: close\r\n\r\n"
    for byte in raw:
        parser.feed(bytes([byte]))
    assert [(m.request("127.0.0.1").path, m.keep_alive) for m in parser.ready] == [("/1", True), ("/2", False)]


def test_http_1_0_closes_unless_asked_to_keep_alive() -> None:
    assert parse(b"GET / HTTP/1.0\r\n\r\n")[0][1] is False
    assert parse(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0][1] is True


def test_expect_100_continue_is_noticed_before_the_body() -> None:
    heads = []
    parser = RequestParser(on_head=heads.append)
    parser.feed(b"POST / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
    assert not parser.ready and heads[0].expects_continue is True
    parser.feed(b"abc")
    assert parser.ready[0].request("127.0.0.1").body == b"abc"


@pytest.mark.parametrize(
    "raw",
    [
        b"NONSENSE\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_malformed_requests(raw: bytes) -> None:
    with pytest.raises(BadRequest):
        parse(raw)


def test_encode_response_sizes_the_body_and_omits_it_for_head_and_204() -> None:
    response = HttpResponse(200, [("content-type", "text/plain"), ("Content-Length", "999")], b"abc")
    wire = encode_response(response)
    assert wire.startswith(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nDate: ")
    assert wire.endswith(b"\r\nContent-Length: 3\r\n\r\nabc") and b"999" not in wire
    assert encode_response(response, head=True).endswith(b"Content-Length: 3\r\n\r\n")
    assert b"Content-Length" not in encode_response(HttpResponse(204))


def test_over_a_socket_in_order_with_100_continue_and_close() -> None:
    async def scenario() -> list[bytes]:
        async def handler(request: HttpRequest) -> HttpResponse:
            if request.path == "/slow":
                await asyncio.sleep(0.05)
            return HttpResponse(200, [], request.path.encode() + b":" + request.body)

        port, close = await serve_http(handler)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n")
            writer.write(b"POST /up HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
            await writer.drain()
            chunks = []
            for _ in range(2):
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                chunks.append(await reader.readexactly(length))
            chunks.append(await reader.readuntil(b"\r\n\r\n"))  # 100 Continue
            writer.write(b"ok")
            writer.write(b"GET /bye HTTP/1.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            rest = await asyncio.wait_for(reader.read(), 5)  # the server closes after /bye
            writer.close()
            return [*chunks, rest]
        finally:
            await close()

    slow, fast, cont, rest = asyncio.run(scenario())
    assert (slow, fast) == (b"/slow:", b"/fast:")
    assert cont == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert rest.count(b"HTTP/1.1 200 OK") == 2 and rest.endswith(b"/bye:") and b"/up:ok" in rest
    assert b"Connection: close" in rest


def test_the_local_cloud_port_is_loopback_only() -> None:
    from infra.local.serve import bind_loopback

    sock = bind_loopback(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.family == socket.AF_INET
    finally:
        sock.close()
