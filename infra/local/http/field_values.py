"""Header field values between the wire's bytes and the text a function sees, and back.

The HTTP server hands header values over as the wire's bytes read as Latin-1 (one character per byte, so
nothing is lost and signatures can be checked over exactly what arrived). What reaches a function is text:

- ``as_text``: AWS's front ends give a function the header bytes a client sent as UTF-8 text. Recorded for
  API Gateway (a Cloudflare ``cf-ipcity: Torrejón de Ardoz`` reaches a REST API's 1.0 event as that text,
  github.com/oven-sh/bun/issues/22994) and for ALB (``Srīperumbūdūr``, github.com/honojs/hono/issues/4432);
  inferred for Function URLs, which build the same payload as API Gateway. Bytes that are not UTF-8 are kept
  one character per byte (choice: no source records them).
- ``unsendable``: a response header a function returns that HTTP/1.1 cannot carry (RFC 9110 §5.5: a field
  value is visible ASCII, space, tab and obs-text; CR, LF and NUL never; RFC 9110 §5.1: a name is a token).
  A value outside Latin-1 (Hangul, say) has no single-byte form at all. What AWS does with such a header is
  not recorded: the kit's choice is that the front end answers 502 naming the header (so CloudFront in front
  passes an origin error on, as it does for any origin 5xx), never a hang, never an injected header; the way
  to send such text is percent-encoding or RFC 8187 (``filename*=UTF-8''%ED%95%9C.txt``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from .types import HttpResponse

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\r\n\x00]")


def as_text(value: str) -> str:
    """A header value as read from the wire (bytes as Latin-1) turned into the text a function sees."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def unsendable(headers: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """``(name, reason)`` of the first response header HTTP/1.1 cannot send, or None when all can go."""
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            return name, "its name is not an HTTP token"
        if _BAD_VALUE.search(value):
            return name, "its value holds CR, LF or NUL"
        if not value.isascii():
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                return name, "its value is not Latin-1 (percent-encode it, or use RFC 8187 for parameters)"
    return None


def unsendable_answer(headers: Iterable[tuple[str, str]]) -> HttpResponse | None:
    """The 502 a front end answers instead of a response with an unsendable header (None: all can go).

    Its body names the header and why, in the ``{"message": ...}`` shape of the kit's other gateway errors.
    """
    bad = unsendable(headers)
    if bad is None:
        return None
    name, reason = bad
    body = json.dumps({"message": f"the response header {name!r} cannot be sent: {reason}"}, ensure_ascii=False)
    return HttpResponse(502, [("Content-Type", "application/json")], body.encode("utf-8"))
