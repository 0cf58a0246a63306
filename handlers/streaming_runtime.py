"""A Lambda runtime for Python that streams responses (standard library only).

Lambda streams responses natively only on its Node.js runtimes. This runtime speaks the Runtime API's
documented streaming protocol itself (docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html,
"Implementing response streaming in a custom runtime"), so a Python function streams on the Python managed
runtime too: ship this file and ``stream_bootstrap`` in the function's zip and set the environment variable
``AWS_LAMBDA_EXEC_WRAPPER=/var/task/stream_bootstrap``; Lambda then runs the wrapper, which starts this
runtime instead of the default one.

Your handler returns the same response it would return for a buffered Function URL, except that ``body``
may be any iterable (a generator, typically) of ``str`` or ``bytes`` chunks; each chunk is sent the moment
it is produced::

    def handler(event, context):
        def lines():
            for i in range(1, 36):
                yield f"{i}\\n"
                time.sleep(1)
        return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": lines()}

On the wire, per invocation: ``GET /2018-06-01/runtime/invocation/next``, then ``POST .../response`` with
``Lambda-Runtime-Function-Response-Mode: streaming``, ``Transfer-Encoding: chunked``, the content type
``application/vnd.awslambda.http-integration-response`` and a body made of a JSON prelude
(``statusCode``, ``headers``, ``cookies``), 8 NUL bytes, then the body's chunks. An error before the first
byte goes to ``POST .../error``; an error after it ends the stream with the trailers
``Lambda-Runtime-Function-Error-Type`` and ``Lambda-Runtime-Function-Error-Body`` (base64 of the error
JSON), declared up front in a ``Trailer`` header.
"""

import base64
import importlib
import json
import os
import socket
import sys
import time
import traceback

RUNTIME_PREFIX = "/2018-06-01/runtime"
HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
DELIMITER = b"\x00" * 8
ERROR_TRAILERS = "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"


class RuntimeApi:
    """A keep-alive HTTP/1.1 connection to the Runtime API (``AWS_LAMBDA_RUNTIME_API``)."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)
        self.sock = None
        self.buffer = b""

    def _connect(self):
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""

    def _send(self, data):
        self.sock.sendall(data)

    def _head(self, method, path, headers):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _read_response(self):
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the Runtime API closed the connection")
            self.buffer += data
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the Runtime API closed the connection")
            rest += data
        self.buffer = rest[length:]
        return status, headers, rest[:length]

    def request(self, method, path, body=b"", headers=()):
        self._connect()
        headers = [*list(headers), ("Content-Length", str(len(body)))]
        self._send(self._head(method, path, headers) + body)
        return self._read_response()

    def next_invocation(self):
        status, headers, body = self.request("GET", f"{RUNTIME_PREFIX}/invocation/next")
        if status != 200:
            raise RuntimeError(f"/next answered {status}: {body[:200]!r}")
        return headers, body

    def post_error(self, path, error, error_type):
        body = json.dumps(error).encode()
        self.request(
            "POST",
            path,
            body,
            [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error_type)],
        )

    def stream_response(self, request_id, prelude, chunks):
        """POST the response as a stream: prelude, delimiter, then each chunk as it comes.

        Returns None, or the error (type, body) if ``chunks`` raised after the stream had begun.
        """
        self._connect()
        self._send(
            self._head(
                "POST",
                f"{RUNTIME_PREFIX}/invocation/{request_id}/response",
                [
                    ("Lambda-Runtime-Function-Response-Mode", "streaming"),
                    ("Transfer-Encoding", "chunked"),
                    ("Content-Type", HTTP_INTEGRATION),
                    ("Trailer", ERROR_TRAILERS),
                ],
            )
        )
        self._chunk(json.dumps(prelude).encode() + DELIMITER)
        failure = None
        try:
            for chunk in chunks:
                data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
                if data:
                    self._chunk(data)
        except Exception as exc:  # after the first byte: report it in the trailers
            failure = error_of(exc)
        trailers = b""
        if failure is not None:
            error_type, error = failure
            encoded = base64.b64encode(json.dumps(error).encode()).decode()
            trailers = (
                f"Lambda-Runtime-Function-Error-Type: {error_type}\r\nLambda-Runtime-Function-Error-Body: {encoded}\r\n"
            ).encode()
        self._send(b"0\r\n" + trailers + b"\r\n")
        status, _, body = self._read_response()
        if status != 202:
            print(f"the Runtime API refused the streamed response: {status} {body[:200]!r}", file=sys.stderr)
        return failure

    def _chunk(self, data):
        self._send(b"%x\r\n" % len(data) + data + b"\r\n")


def error_of(exc):
    """``(errorType, {"errorMessage", "errorType", "stackTrace"})`` as Lambda's Python runtime reports it."""
    error_type = type(exc).__name__
    return error_type, {
        "errorMessage": str(exc),
        "errorType": error_type,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }


class Context:
    """The parts of the Lambda context object handlers use most."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id", "")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn", "")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def split_response(result):
    """The prelude (``statusCode``, ``headers``, ``cookies``) and the body chunks of a handler's result."""
    if isinstance(result, dict) and "statusCode" in result:
        prelude = {
            "statusCode": int(result["statusCode"]),
            "headers": dict(result.get("headers") or {}),
            "cookies": list(result.get("cookies") or []),
        }
        body = result.get("body")
    else:
        prelude, body = {"statusCode": 200, "headers": {}, "cookies": []}, result
    if body is None:
        return prelude, []
    if isinstance(body, (str, bytes, bytearray)):
        return prelude, [body]
    if isinstance(body, (dict, list, int, float, bool)):
        prelude["headers"].setdefault("content-type", "application/json")
        return prelude, [json.dumps(body)]
    return prelude, body


def load_handler(spec):
    module_name, _, function_name = spec.rpartition(".")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    return getattr(importlib.import_module(module_name.replace("/", ".")), function_name)


def main():
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as exc:
        error_type, error = error_of(exc)
        api.post_error(f"{RUNTIME_PREFIX}/init/error", error, f"Runtime.{error_type}")
        sys.exit(1)
    while True:
        headers, payload = api.next_invocation()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            prelude, chunks = split_response(handler(json.loads(payload or b"null"), Context(headers)))
            iterator = iter(chunks)
            first = next(iterator, None)  # an error before the first byte is still a plain error
        except Exception as exc:
            error_type, error = error_of(exc)
            print(f"[ERROR] {error_type}: {exc}", file=sys.stderr, flush=True)
            api.post_error(f"{RUNTIME_PREFIX}/invocation/{request_id}/error", error, error_type)
            continue
        body = iterator if first is None else _prepend(first, iterator)
        failure = api.stream_response(request_id, prelude, body)
        if failure is not None:
            print(f"[ERROR] {failure[0]}: {failure[1]['errorMessage']}", file=sys.stderr, flush=True)


def _prepend(first, rest):
    yield first
    yield from rest


if __name__ == "__main__":
    main()
