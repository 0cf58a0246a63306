"""The kit's Python streaming runtime (handlers/streaming_runtime.py) against a Runtime API that records
the wire: the documented streaming protocol, chunk by chunk, errors before and after the first byte.

The Runtime API here is the test's own (a small asyncio server), so what is checked is exactly what the
runtime sends, and when.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HANDLERS = Path(__file__).resolve().parents[3] / "handlers"
DELIMITER = b"\x00" * 8


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    trailers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    method, path, _ = head[0].split(" ", 2)
    headers = {}
    for line in head[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return method, path, headers


async def _read_chunked(reader: asyncio.StreamReader, posted: Posted) -> None:
    while True:
        size = int((await reader.readline()).split(b";")[0].strip(), 16)
        if size == 0:
            break
        data = await reader.readexactly(size + 2)
        posted.chunks.append((time.monotonic(), data[:-2]))
    while True:
        line = (await reader.readline()).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        posted.trailers[name.strip()] = value.strip()


def run_invocation(handler: str, event: dict, task_root: Path, timeout: float = 30) -> Posted:
    """Start the runtime, hand it one invocation, and return what it posted back."""

    async def scenario() -> Posted:
        done: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        handed_out = False

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal handed_out
            try:
                while True:
                    _method, path, headers = await _read_head(reader)
                    if path.endswith("/invocation/next"):
                        if handed_out:
                            await asyncio.sleep(3600)  # one invocation is all this test needs
                        handed_out = True
                        payload = json.dumps(event).encode()
                        writer.write(
                            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            b"Lambda-Runtime-Aws-Request-Id: req-1\r\n"
                            + f"Lambda-Runtime-Deadline-Ms: {int(time.time() * 1000) + 60000}\r\n".encode()
                            + b"Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:ap-northeast-2:1:function:f\r\n"
                            + b"Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\n"
                            + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                            + payload
                        )
                        await writer.drain()
                        continue
                    posted = Posted(path, headers)
                    if headers.get("transfer-encoding") == "chunked":
                        await _read_chunked(reader, posted)
                        posted.body = b"".join(chunk for _, chunk in posted.chunks)
                    else:
                        posted.body = await reader.readexactly(int(headers.get("content-length", "0")))
                    writer.write(b'HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{"status":"OK"}')
                    await writer.drain()
                    if not done.done():
                        done.set_result(posted)
            except (asyncio.IncompleteReadError, ConnectionError):
                pass

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        env = {
            "PATH": os.environ["PATH"],
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(task_root),
            "PYTHONUNBUFFERED": "1",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HANDLERS / "streaming_runtime.py"),
            env=env,
            cwd=str(task_root),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            return await asyncio.wait_for(done, timeout)
        finally:
            process.kill()
            await process.wait()
            server.close()

    return asyncio.run(scenario())


def url_event(query: dict[str, str] | None = None) -> dict:
    return {
        "version": "2.0",
        "rawPath": "/",
        "queryStringParameters": query or {},
        "requestContext": {"http": {"method": "GET"}},
    }


def split(body: bytes) -> tuple[dict, bytes]:
    prelude, _, rest = body.partition(DELIMITER)
    return json.loads(prelude), rest


def test_the_counter_streams_line_by_line_with_the_documented_framing() -> None:
    posted = run_invocation("counter.handler", url_event({"to": "4", "interval": "0.3"}), HANDLERS)
    assert posted.path == "/2018-06-01/runtime/invocation/req-1/response"
    assert posted.headers["lambda-runtime-function-response-mode"] == "streaming"
    assert posted.headers["transfer-encoding"] == "chunked"
    assert posted.headers["content-type"] == "application/vnd.awslambda.http-integration-response"
    assert posted.headers["trailer"] == "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"
    prelude, body = split(posted.body)
    assert prelude == {
        "statusCode": 200,
        "headers": {"content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff"},
        "cookies": [],
    }
    lines = body.decode().splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2", "3", "4"]
    emitted = [float(line.split()[1]) for line in lines]
    assert all(0.25 < b - a < 1.5 for a, b in itertools.pairwise(emitted))
    # each line left the runtime when it was produced, not at the end
    line_chunks = [(t, c) for t, c in posted.chunks if not c.endswith(DELIMITER)]
    arrivals = [t for t, _ in line_chunks]
    assert len(line_chunks) == 4 and arrivals[-1] - arrivals[0] > 0.75
    assert posted.trailers == {}


def test_a_bad_query_is_a_400_in_the_prelude() -> None:
    posted = run_invocation("counter.handler", url_event({"to": "many"}), HANDLERS)
    prelude, body = split(posted.body)
    assert prelude["statusCode"] == 400
    assert "whole number" in json.loads(body)["error"]


def test_the_typing_effect_streams_words() -> None:
    posted = run_invocation(
        "typing_effect.handler", url_event({"text": "stream me word by word", "delay": "0.05"}), HANDLERS
    )
    _, body = split(posted.body)
    assert body == b"stream me word by word"
    assert len([c for _, c in posted.chunks if not c.endswith(DELIMITER)]) == 5


def _task_root(tmp_path: Path, source: str) -> Path:
    (tmp_path / "fn.py").write_text(source)
    return tmp_path


def test_an_error_before_the_first_byte_goes_to_error(tmp_path: Path) -> None:
    root = _task_root(tmp_path, "def handler(event, context):\n    raise ValueError('nothing to stream')\n")
    posted = run_invocation("fn.handler", url_event(), root)
    assert posted.path == "/2018-06-01/runtime/invocation/req-1/error"
    assert posted.headers["lambda-runtime-function-error-type"] == "ValueError"
    error = json.loads(posted.body)
    assert error["errorMessage"] == "nothing to stream" and error["errorType"] == "ValueError"
    assert error["stackTrace"]


def test_an_error_after_the_first_byte_goes_in_the_trailers(tmp_path: Path) -> None:
    source = (
        "def handler(event, context):\n"
        "    def body():\n"
        "        yield 'first part\\n'\n"
        "        raise RuntimeError('broke mid-stream')\n"
        "    return {'statusCode': 200, 'body': body()}\n"
    )
    posted = run_invocation("fn.handler", url_event(), _task_root(tmp_path, source))
    assert posted.path.endswith("/response")
    _, body = split(posted.body)
    assert body == b"first part\n"
    assert posted.trailers["Lambda-Runtime-Function-Error-Type"] == "RuntimeError"
    error = json.loads(base64.b64decode(posted.trailers["Lambda-Runtime-Function-Error-Body"]))
    assert error["errorMessage"] == "broke mid-stream"


def test_a_handler_that_cannot_be_loaded_reports_an_init_error(tmp_path: Path) -> None:
    posted = run_invocation("missing.handler", url_event(), tmp_path)
    assert posted.path == "/2018-06-01/runtime/init/error"
    assert posted.headers["lambda-runtime-function-error-type"] == "Runtime.ModuleNotFoundError"


@pytest.mark.skipif(os.name != "posix", reason="the wrapper is a POSIX shell script")
def test_the_exec_wrapper_starts_the_streaming_runtime(tmp_path: Path) -> None:
    # As Lambda does: the wrapper gets the managed runtime's command as its arguments (here: one that fails).
    fake_python = tmp_path / "bin"
    fake_python.mkdir()
    (fake_python / "python3").symlink_to(sys.executable)
    out = subprocess.run(
        [str(HANDLERS / "stream_bootstrap"), "/var/runtime/bootstrap"],
        env={
            "PATH": f"{fake_python}:/usr/bin:/bin",
            "LAMBDA_TASK_ROOT": str(HANDLERS),
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9",
            "_HANDLER": "counter.handler",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    # it ran the streaming runtime, which then found no Runtime API on port 9
    assert out.returncode != 0 and "streaming_runtime.py" in out.stderr and "Connection" in out.stderr
