"""The parts of response streaming that need no process: limits, the prelude, the event-stream encoding,
and the HTTP server's streamed bodies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from botocore.eventstream import EventStreamBuffer

from infra.local.function_url.stream import InvalidPrelude, split_prelude
from infra.local.http.server import BodyStream, serve_http
from infra.local.http.types import HttpRequest, HttpResponse
from infra.local.lambda_.eventstream import encode_event
from infra.local.lambda_.invocation import StreamError
from infra.local.lambda_.stream_limits import MB, within_limits


async def _from(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _collect(chunks: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in chunks]


def test_the_first_6_mb_are_uncapped_then_2_mb_per_second() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    chunks = [b"x" * MB] * 10  # 10 MB, produced instantly
    out = asyncio.run(_collect(within_limits(_from(chunks), clock=lambda: now[0], sleep=sleep)))
    assert len(out) == 10
    # chunks 1-6 free; the 7th starts the 2 MB/s clock; 8th due at +0.5 s, 9th +1.0, 10th +1.5
    assert slept == [0.5, 0.5, 0.5]


def test_a_stream_past_the_cap_ends_with_response_size_too_large() -> None:
    async def run() -> list[bytes]:
        got = []
        async for chunk in within_limits(_from([b"a" * 10, b"b" * 10, b"c" * 10]), max_bytes=25):
            got.append(chunk)
        return got

    with pytest.raises(StreamError) as caught:
        asyncio.run(run())
    assert caught.value.error_type == "Function.ResponseSizeTooLarge"


def test_the_prelude_gives_status_headers_and_cookies_and_the_rest_is_body() -> None:
    prelude = json.dumps({"statusCode": 201, "headers": {"X-Kind": "stream"}, "cookies": ["a=1"]}).encode()

    async def run() -> tuple[int, list[tuple[str, str]], bytes]:
        # the delimiter split across chunks, and the body starting in the same chunk
        status, headers, rest = await split_prelude(_from([prelude + b"\x00" * 3, b"\x00" * 5 + b"he", b"llo"]))
        return status, headers, b"".join(await _collect(rest))

    status, headers, body = asyncio.run(run())
    assert status == 201 and body == b"hello"
    assert headers == [("x-kind", "stream"), ("set-cookie", "a=1"), ("content-type", "application/octet-stream")]


@pytest.mark.parametrize("chunks", [[b"not json" + b"\x00" * 8], [b'{"statusCode": 200}'], [b"x" * (65 * 1024)]])
def test_a_bad_prelude_is_refused(chunks: list[bytes]) -> None:
    with pytest.raises(InvalidPrelude):
        asyncio.run(split_prelude(_from(chunks)))


def test_event_stream_messages_decode_with_botocore() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(encode_event("PayloadChunk", b"hello") + encode_event("InvokeComplete", b"{}", "application/json"))
    messages = list(buffer)
    assert [m.headers[":event-type"] for m in messages] == ["PayloadChunk", "InvokeComplete"]
    assert messages[0].payload == b"hello" and messages[0].headers[":message-type"] == "event"
    assert messages[1].headers[":content-type"] == "application/json"


def test_the_server_streams_chunked_bodies_in_and_out() -> None:
    async def scenario() -> tuple[bytes, object, bytes, object]:
        seen: dict[str, object] = {}

        async def handler(request: HttpRequest) -> HttpResponse:
            if request.stream is not None:
                assert isinstance(request.stream, BodyStream)
                seen["chunks"] = [chunk async for chunk in request.stream]
                seen["trailers"] = request.stream.trailers
                return HttpResponse(202, [], b"ok")

            async def produce() -> AsyncIterator[bytes]:
                for word in (b"one ", b"two ", b"three"):
                    yield word
                    await asyncio.sleep(0.01)

            return HttpResponse(200, [("content-type", "text/plain")], stream=produce())

        def streams(headers: list[tuple[str, str]]) -> bool:
            return any(k.lower() == "x-stream" for k, _ in headers)

        port, close = await serve_http(handler, streams=streams)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /in HTTP/1.1\r\nX-Stream: 1\r\nTransfer-Encoding: chunked\r\nTrailer: X-Done\r\n\r\n")
            writer.write(b"3\r\nabc\r\n2\r\nde\r\n0\r\nX-Done: yes\r\n\r\n")
            writer.write(b"GET /out HTTP/1.1\r\n\r\n")
            await writer.drain()
            first = await reader.readuntil(b"ok")
            rest = await asyncio.wait_for(reader.readuntil(b"0\r\n\r\n"), 5)
            writer.close()
            return first, seen["trailers"], rest, seen["chunks"]
        finally:
            await close()

    first, trailers, rest, chunks = asyncio.run(scenario())
    assert chunks == [b"abc", b"de"]
    assert first.startswith(b"HTTP/1.1 202 Accepted")
    assert trailers == [("X-Done", "yes")]
    assert b"Transfer-Encoding: chunked" in rest
    assert rest.endswith(b"4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n")
