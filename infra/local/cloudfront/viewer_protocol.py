"""What CloudFront answers a viewer that sent plain HTTP to a cache behaviour that wants HTTPS.

Sources: the API reference, ``CacheBehavior.ViewerProtocolPolicy`` (``https-only``: "If a viewer sends an
HTTP request, CloudFront returns an HTTP status code of 403 (Forbidden)"), and the Developer Guide,
"Require HTTPS for communication between viewers and CloudFront" (using-https-viewers-to-cloudfront.html):
with ``redirect-to-https``, "HTTP GET and HEAD requests are automatically redirected to HTTPS requests.
CloudFront returns HTTP status code 301 (Moved Permanently) along with the new HTTPS URL", and POST, PUT,
DELETE, OPTIONS or PATCH over HTTP/1.1 are redirected with 307 (Temporary Redirect). Captured redirects
carry ``Server: CloudFront``, ``Content-Type: text/html``, ``X-Cache: Redirect from cloudfront`` and a
167-byte page (``_REDIRECT_PAGE``, one element a line, CRLF line ends); the 403 is CloudFront's error page
(``errors.py``).

Choices (no source states them): the ``Location`` keeps the path and the query string (every capture
redirects ``/``) and names the local cloud's TLS port (``edge.py``); the 403 page's reason line is
"Bad request."; the 307 page mirrors the 301's. Not emulated: HTTP/1.0 viewers, which get 403 for those
methods on AWS.
"""

from __future__ import annotations

from ..http.types import HttpRequest, HttpResponse
from . import errors


def https_location(request: HttpRequest, https_port: int) -> str:
    """The request's own URL over HTTPS: same host, path and query; the local TLS port when there is one."""
    authority = request.host + (f":{https_port}" if https_port and https_port != 443 else "")
    return f"https://{authority}{request.path or '/'}" + (f"?{request.query}" if request.query else "")


def _page(status: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n"
        "<hr><center>CloudFront</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


_REDIRECT_PAGE = _page("301 Moved Permanently")
_TEMPORARY_PAGE = _page("307 Temporary Redirect")


def plain_http_answer(policy: str, request: HttpRequest, https_port: int, request_id: str) -> HttpResponse:
    """The 301/307 (``redirect-to-https``) or the 403 (``https-only``) for a plain-HTTP viewer request."""
    if policy == "redirect-to-https":
        permanent = request.method in ("GET", "HEAD")
        headers = [
            ("Server", "CloudFront"),
            ("Content-Type", "text/html"),
            ("Location", https_location(request, https_port)),
        ]
        # the server sends no body for HEAD
        return HttpResponse(301 if permanent else 307, headers, _REDIRECT_PAGE if permanent else _TEMPORARY_PAGE)
    return errors.error_response(403, errors.BAD_REQUEST, request_id)
