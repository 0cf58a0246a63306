"""The ``.localhost`` twin of an AWS name: what a browser on this machine opens instead of it (``*.localhost``
resolves to loopback), what the local cloud's routers accept as that name, and what its twin certificates name.

``<id>.lambda-url.<region>.on.aws`` -> ``<id>.lambda-url.<region>.localhost``,
``<id>.cloudfront.net`` -> ``<id>.cloudfront.localhost``, ``<id>.execute-api.<region>.amazonaws.com`` ->
``<id>.execute-api.<region>.localhost``, and any other name (a custom domain) with ``.localhost`` after it.
"""

from __future__ import annotations

LOCALHOST_SUFFIXES = {
    ".on.aws": ".localhost",
    ".cloudfront.net": ".cloudfront.localhost",
    ".amazonaws.com": ".localhost",
}


def aws_suffix(host: str) -> str | None:
    """The AWS suffix ``host`` ends with (a key of ``LOCALHOST_SUFFIXES``), or None."""
    return next((suffix for suffix in LOCALHOST_SUFFIXES if host.endswith(suffix)), None)


def localhost_twin(host: str) -> str:
    """``host``'s ``.localhost`` twin (a name that is one already stays as it is)."""
    suffix = aws_suffix(host)
    if suffix is not None:
        return host[: -len(suffix)] + LOCALHOST_SUFFIXES[suffix]
    return host if host.endswith(".localhost") else host + ".localhost"
