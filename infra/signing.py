"""Sign HTTP requests to AWS_IAM Function URLs with SigV4, using botocore's signer.

``SigV4`` plugs into httpx (``kit.http(auth=kit.sigv4())``); ``presign`` makes a URL that carries its
signature in the query string, so it opens with no headers at all (curl, a browser, a colleague).
"""

from __future__ import annotations

from collections.abc import Generator
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import httpx
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

#: What a path may hold as it is (RFC 3986 pchar, "/" and "%" of what is already percent-encoded).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_SIGNED = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


class SigV4(httpx.Auth):
    """httpx authentication that signs each request for ``service`` in ``region``.

    The body is hashed into the signature (and sent as ``x-amz-content-sha256``): Lambda accepts no unsigned
    payload, and CloudFront's Origin Access Control needs that header for POST and PUT.

    The query string is sent in SigV4's canonical encoding (RFC 3986: ``%20`` for a space, ``%2B`` for a plus,
    UTF-8 percent-encoded, so ``name=홍길동`` goes as ``name=%ED%99%8D%EA%B8%B8%EB%8F%99``): botocore signs the
    query exactly as it stands in the URL, while AWS decodes it and encodes it again before it checks the
    signature (SigV4 guide, "Create a canonical request"), so a form-encoded ``+`` that httpx writes for a space
    would be signed as it is and fail at AWS (github.com/RJPearson94/terraform-aws-open-next/pull/48 is one
    such mismatch).
    """

    requires_request_body = True

    def __init__(self, credentials: Credentials | ReadOnlyCredentials, region: str, service: str = "lambda") -> None:
        self._credentials = credentials
        self.region = region
        self.service = service

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.query:
            request.url = request.url.copy_with(query=canonical_query(request.url.query.decode("ascii")).encode())
        body = request.content
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("connection", "accept-encoding")}
        aws_request = AWSRequest(method=request.method, url=str(request.url), data=body, headers=headers)
        aws_request.headers["x-amz-content-sha256"] = SigV4Auth(self._credentials, self.service, self.region).payload(
            aws_request
        )
        SigV4Auth(self._credentials, self.service, self.region).add_auth(aws_request)
        for name in _SIGNED:
            value = aws_request.headers.get(name)
            if value is not None:
                request.headers[name] = value
        yield request


def canonical_query(query: str) -> str:
    """``query`` (form-encoded: ``+`` is a space) in SigV4's encoding, its parameters kept in their order.

    A parameter without ``=`` keeps none (``?verbose`` stays ``verbose``): SigV4 gives it an empty value either
    way, and the function sees the query string it was given.
    """
    items = []
    for item in query.split("&"):
        if item:
            key, equals, value = item.partition("=")
            encoded = quote(unquote_plus(key), safe="-_.~")
            items.append(f"{encoded}={quote(unquote_plus(value), safe='-_.~')}" if equals else encoded)
    return "&".join(items)


def wire_url(url: str) -> str:
    """``url`` with its path percent-encoded as a browser sends it (what is already encoded stays as it is)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path, safe=_PATH_SAFE)))


def presign(
    url: str,
    credentials: Credentials | ReadOnlyCredentials,
    region: str,
    *,
    expires: int = 300,
    service: str = "lambda",
) -> str:
    """``url`` (a GET) with its SigV4 signature in the query string, valid for ``expires`` seconds.

    A path written with Korean (or any non-ASCII) text is percent-encoded first, as UTF-8, the form a browser
    puts on the wire: AWS URI-encodes the path it receives once more to check the signature (every service
    but S3, SigV4 guide "Create a canonical request"), so a signature over the unencoded path would not match.
    """
    aws_request = AWSRequest(method="GET", url=wire_url(url))
    SigV4QueryAuth(credentials, service, region, expires=expires).add_auth(aws_request)
    return aws_request.url


def curl_command(url: str, region: str, service: str = "lambda") -> str:
    """The same signed GET with curl's own SigV4 signer (``--aws-sigv4``, curl 7.75 and later).

    The keys come from the shell's ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, so no secret is printed.
    """
    return f"curl --aws-sigv4 'aws:amz:{region}:{service}' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" '{url}'"
