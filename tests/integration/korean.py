"""Korean text for the tests that send it down every path, and the functions that echo it back.

``ECHO`` (buffered, the Python managed runtime) answers with what it was given: the whole event (2.0 from a
Function URL, 1.0 from API Gateway) and a Korean greeting, as UTF-8 JSON. Asked with ``?reply=<case>`` it
sets a response header that HTTP/1.1 cannot carry instead. ``STREAM`` (the kit's streaming runtime) sends a
Korean sentence in chunks whose boundaries fall inside Hangul syllables.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from urllib.parse import quote

from infra.local import control

NAME = "홍길동"
GREETING = "안녕하세요, 세계!"
PATH = "/인사/안녕"
COOKIE = "이름=홍길동"
#: ``홍길동`` as percent-encoded UTF-8, the form a browser puts in a URL.
NAME_ENCODED = quote(NAME)
PATH_ENCODED = quote(PATH)
#: A query string as a browser sends it: two values of one key, and a second key.
QUERY = f"name={NAME_ENCODED}&name={quote('철수')}&greeting={quote(GREETING)}"
#: The same name in an RFC 8187 ext-value, the ASCII-only way HTTP headers carry non-Latin text.
RFC8187 = f"UTF-8''{NAME_ENCODED}"

ECHO = """
import json

UNSENDABLE = {"hangul": "안녕하세요", "crlf": "a\\r\\nx-injected: 1", "name": None}

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    reply = query.get("reply")
    headers = {"content-type": "application/json; charset=utf-8",
               "content-disposition": "attachment; filename*=UTF-8''%ED%95%9C%EA%B8%80.txt"}
    if reply == "name":
        headers["x 인사"] = "1"
    elif reply:
        headers["x-greeting"] = UNSENDABLE[reply]
    body = {"greeting": "안녕하세요, 세계!", "event": event}
    return {"statusCode": 200, "headers": headers, "body": json.dumps(body, ensure_ascii=False)}
"""

#: What ``STREAM`` sends, and the byte offsets where its chunks end (each inside a Hangul syllable).
STREAMED = "스트리밍 응답: 가나다라마바사\n끝\n"
STREAM = """
import time

TEXT = "스트리밍 응답: 가나다라마바사\\n끝\\n".encode("utf-8")
CUTS = (1, 4, 17, 26, len(TEXT))

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    headers = {"content-type": "text/plain; charset=utf-8"}
    if query.get("reply") == "hangul":
        headers["x-greeting"] = "안녕"
    def chunks():
        start = 0
        for end in CUTS:
            yield TEXT[start:end]
            start = end
            time.sleep(0.15)
    return {"statusCode": 200, "headers": headers, "body": chunks()}
"""
CUTS = (1, 4, 17, 26, len(STREAMED.encode()))


def cuts_fall_inside_syllables() -> bool:
    """True when every chunk boundary but the last splits a multi-byte character (the test's premise)."""
    data = STREAMED.encode()
    return all(not _is_boundary(data, cut) for cut in CUTS[:-1])


def _is_boundary(data: bytes, offset: int) -> bool:
    return offset >= len(data) or (data[offset] & 0xC0) != 0x80


def raw_exchange(port: int, request: bytes, *, timeout: float = 10.0, server_name: str | None = None) -> bytes:
    """Send ``request`` as raw bytes and read the answer until the server closes (``Connection: close``);
    with ``server_name``, over TLS to ``port`` (the local cloud's TLS port) with that SNI.

    A server that hangs makes this raise ``socket.timeout`` after ``timeout`` seconds instead of waiting on.
    """
    with contextlib.ExitStack() as stack:
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=timeout))
        if server_name is not None:
            sock = stack.enter_context(control.client_tls_context().wrap_socket(sock, server_hostname=server_name))
        sock.sendall(request)
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except ssl.SSLZeroReturnError:
                data = b""
            if not data:
                return answer
            answer += data


def raw_get(host: str, target: str, headers: dict[str, bytes] | None = None) -> bytes:
    """A GET request head as bytes: header values go on the wire exactly as given (raw UTF-8 allowed)."""
    head = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n".encode()
    for name, value in (headers or {}).items():
        head += name.encode() + b": " + value + b"\r\n"
    return head + b"\r\n"
