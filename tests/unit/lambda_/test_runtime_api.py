"""infra/local/lambda_/runtime_api.py: the Runtime API core, driven through a fake channel (no sockets)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from infra.local.http.types import HttpRequest
from infra.local.lambda_.function_spec import MAX_RESPONSE_PAYLOAD
from infra.local.lambda_.invocation import PendingInvocation, RuntimeResult
from infra.local.lambda_.runtime_api import handle_runtime_request, next_response

PREFIX = "/2018-06-01/runtime"
REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:hello"
TRACE = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"


def run(test: Callable[[], Awaitable[Any]]) -> Any:
    """Run one async test body on a fresh loop (pytest-asyncio is not a dependency)."""
    return asyncio.run(test())


class FakeChannel:
    """Hands out prepared invocations and records what the runtime reported."""

    def __init__(self, *invocations: PendingInvocation) -> None:
        self.queue = list(invocations)
        self.by_id = {inv.request_id: inv for inv in invocations}
        self.init_errors: list[tuple[str, bytes]] = []
        self.next_calls = 0

    async def next_invocation(self) -> PendingInvocation:
        self.next_calls += 1
        return self.queue.pop(0)

    def current(self, request_id: str) -> PendingInvocation | None:
        return self.by_id.get(request_id)

    def init_failed(self, error_type: str, payload: bytes) -> None:
        self.init_errors.append((error_type, payload))


def pending(**overrides: Any) -> PendingInvocation:
    """Must be called inside a running loop: the result future belongs to it."""
    values: dict[str, Any] = {
        "request_id": REQUEST_ID,
        "payload": b'{"key": "value"}',
        "invoked_function_arn": ARN,
        "trace_id": TRACE,
        "deadline_ms": 1542409706888,
    }
    values.update(overrides)
    return PendingInvocation(**values)


def post(path: str, body: bytes = b"", *headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest("POST", f"{PREFIX}{path}", headers=headers, body=body)


def json_body(response) -> Any:
    return json.loads(response.body)


# --- /next ------------------------------------------------------------------------------------------


def test_next_hands_out_the_invocation_with_its_headers() -> None:
    async def body() -> None:
        channel = FakeChannel(pending())
        response = await handle_runtime_request(HttpRequest("GET", f"{PREFIX}/invocation/next"), channel)
        assert channel.next_calls == 1
        assert response.status == 200
        assert response.body == b'{"key": "value"}'
        assert response.headers == [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", REQUEST_ID),
            ("Lambda-Runtime-Deadline-Ms", "1542409706888"),
            ("Lambda-Runtime-Invoked-Function-Arn", ARN),
            ("Lambda-Runtime-Trace-Id", TRACE),
        ]

    run(body)


def test_next_includes_client_context_when_set() -> None:
    async def body() -> None:
        ctx = '{"custom": {"a": "b"}}'
        response = next_response(pending(client_context=ctx))
        assert response.header("Lambda-Runtime-Client-Context") == ctx
        assert response.header("lambda-runtime-aws-request-id") == REQUEST_ID

    run(body)


def test_next_waits_for_an_invocation() -> None:
    async def body() -> None:
        arrived = asyncio.Event()
        inv = pending()

        class SlowChannel(FakeChannel):
            async def next_invocation(self) -> PendingInvocation:
                await arrived.wait()
                return inv

        task = asyncio.ensure_future(
            handle_runtime_request(HttpRequest("GET", f"{PREFIX}/invocation/next"), SlowChannel())
        )
        await asyncio.sleep(0)
        assert not task.done()
        arrived.set()
        response = await task
        assert response.header("Lambda-Runtime-Aws-Request-Id") == REQUEST_ID

    run(body)


# --- /response --------------------------------------------------------------------------------------


def test_response_is_accepted_and_completes_the_invocation() -> None:
    async def body() -> None:
        inv = pending()
        channel = FakeChannel(inv)
        response = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/response", b'{"ok": true}'), channel)
        assert response.status == 202
        assert json_body(response) == {"status": "OK"}
        assert inv.result.done()
        assert inv.result.result() == RuntimeResult(b'{"ok": true}', None)

    run(body)


def test_response_exactly_at_the_limit_is_accepted() -> None:
    async def body() -> None:
        inv = pending()
        payload = b"x" * MAX_RESPONSE_PAYLOAD
        response = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/response", payload), FakeChannel(inv))
        assert response.status == 202
        assert inv.result.result().error_type is None
        assert len(inv.result.result().payload) == 6_291_556

    run(body)


def test_oversized_response_is_413_and_fails_the_invocation() -> None:
    async def body() -> None:
        inv = pending()
        payload = b"x" * (MAX_RESPONSE_PAYLOAD + 1)
        response = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/response", payload), FakeChannel(inv))
        assert response.status == 413
        assert json_body(response) == {
            "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "RequestEntityTooLarge",
        }
        outcome = inv.result.result()
        assert outcome.error_type == "Function.ResponseSizeTooLarge"
        assert json.loads(outcome.payload) == {
            "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge",
        }

    run(body)


def test_second_response_for_the_same_invocation_is_400() -> None:
    async def body() -> None:
        inv = pending()
        channel = FakeChannel(inv)
        first = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/response", b"1"), channel)
        second = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/response", b"2"), channel)
        assert first.status == 202
        assert second.status == 400
        assert json_body(second) == {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
        assert inv.result.result().payload == b"1"

    run(body)


def test_unknown_request_id_is_400() -> None:
    async def body() -> None:
        inv = pending()
        channel = FakeChannel(inv)
        for kind in ("response", "error"):
            response = await handle_runtime_request(post(f"/invocation/not-a-known-id/{kind}", b"{}"), channel)
            assert response.status == 400
            assert json_body(response) == {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
        assert not inv.result.done()

    run(body)


# --- /error -----------------------------------------------------------------------------------------


def test_error_is_accepted_with_its_type_and_body() -> None:
    async def body() -> None:
        inv = pending()
        error = json.dumps({"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}).encode()
        response = await handle_runtime_request(
            post(
                f"/invocation/{REQUEST_ID}/error", error, ("Lambda-Runtime-Function-Error-Type", "Runtime.ValueError")
            ),
            FakeChannel(inv),
        )
        assert response.status == 202
        assert json_body(response) == {"status": "OK"}
        assert inv.result.result() == RuntimeResult(error, "Runtime.ValueError")

    run(body)


def test_error_header_name_is_case_insensitive() -> None:
    async def body() -> None:
        inv = pending()
        await handle_runtime_request(
            post(f"/invocation/{REQUEST_ID}/error", b"{}", ("lambda-runtime-function-error-type", "Custom.Err")),
            FakeChannel(inv),
        )
        assert inv.result.result().error_type == "Custom.Err"

    run(body)


def test_error_without_type_or_body_defaults() -> None:
    async def body() -> None:
        inv = pending()
        response = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/error"), FakeChannel(inv))
        assert response.status == 202
        assert inv.result.result() == RuntimeResult(b"{}", "Unhandled")

    run(body)


def test_error_after_response_is_400() -> None:
    async def body() -> None:
        inv = pending()
        channel = FakeChannel(inv)
        await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/response", b"1"), channel)
        response = await handle_runtime_request(post(f"/invocation/{REQUEST_ID}/error", b"{}"), channel)
        assert response.status == 400
        assert inv.result.result().error_type is None

    run(body)


# --- /init/error ------------------------------------------------------------------------------------


def test_init_error_is_reported_to_the_channel() -> None:
    async def body() -> None:
        channel = FakeChannel()
        error = b'{"errorMessage": "no module", "errorType": "Runtime.ImportModuleError"}'
        response = await handle_runtime_request(
            post("/init/error", error, ("Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError")), channel
        )
        assert response.status == 202
        assert json_body(response) == {"status": "OK"}
        assert channel.init_errors == [("Runtime.ImportModuleError", error)]

    run(body)


def test_init_error_without_type() -> None:
    async def body() -> None:
        channel = FakeChannel()
        await handle_runtime_request(post("/init/error", b"{}"), channel)
        assert channel.init_errors == [("Runtime.Unknown", b"{}")]

    run(body)


# --- routing ----------------------------------------------------------------------------------------


def test_unknown_paths_and_methods_are_404() -> None:
    async def body() -> None:
        inv = pending()
        channel = FakeChannel(inv)
        for request in (
            HttpRequest("GET", "/2018-06-01/runtime/unknown"),
            HttpRequest("GET", "/"),
            HttpRequest("POST", f"{PREFIX}/invocation/next"),
            HttpRequest("GET", f"{PREFIX}/invocation/{REQUEST_ID}/response"),
            HttpRequest("POST", f"{PREFIX}/invocation/{REQUEST_ID}/response/extra", body=b"{}"),
            HttpRequest("POST", f"{PREFIX}/invocation/{REQUEST_ID}/restore", body=b"{}"),
            HttpRequest("GET", f"{PREFIX}/init/error"),
        ):
            response = await handle_runtime_request(request, channel)
            assert response.status == 404, request
            assert json_body(response)["errorType"] == "NotFound"
        assert channel.next_calls == 0
        assert not inv.result.done()
        assert channel.init_errors == []

    run(body)
