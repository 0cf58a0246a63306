"""A streamed function response on a Function URL: the HTTP integration prelude, then the body.

Emulates (aws-behaviour.md §6; the Node.js runtime's ``HttpResponseStream``): a response streamed with the
content type ``application/vnd.awslambda.http-integration-response`` begins with a JSON prelude
(``statusCode``, ``headers``, ``cookies``) ended by 8 NUL bytes; what follows is the body. A response
streamed with another content type is the body itself, status 200, with that content type.

Choices (no source states them): a prelude that is not JSON, or not ended within 64 KiB, is an error the
caller sees (502), not a body; a prelude without ``content-type`` gets ``application/octet-stream``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
DELIMITER = b"\x00" * 8
MAX_PRELUDE = 64 * 1024


class InvalidPrelude(ValueError):
    pass


async def split_prelude(chunks: AsyncIterator[bytes]) -> tuple[int, list[tuple[str, str]], AsyncIterator[bytes]]:
    """Read the prelude off a streamed body: its status, headers (cookies as ``set-cookie``), and the rest."""
    buffer = b""
    async for chunk in chunks:
        buffer += chunk
        if DELIMITER in buffer:
            break
        if len(buffer) > MAX_PRELUDE:
            raise InvalidPrelude("no 8-NUL delimiter within 64 KiB of the stream's start")
    else:
        if DELIMITER not in buffer:
            raise InvalidPrelude("the stream ended before its prelude did")
    prelude_bytes, _, first = buffer.partition(DELIMITER)
    try:
        prelude = json.loads(prelude_bytes)
        status = int(prelude.get("statusCode", 200))
        headers = [(str(k).lower(), str(v)) for k, v in (prelude.get("headers") or {}).items()]
        headers += [("set-cookie", str(c)) for c in prelude.get("cookies") or []]
    except (ValueError, TypeError, AttributeError):
        raise InvalidPrelude(f"the prelude is not a JSON object: {prelude_bytes[:80]!r}") from None
    if not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", "application/octet-stream"))

    async def rest() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    return status, headers, rest()
