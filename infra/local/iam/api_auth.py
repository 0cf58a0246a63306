"""Who may call the AWS API side of the local cloud: SigV4 on every request, as AWS requires it.

Emulates (IAM User Guide, "Signing AWS API requests" and "Troubleshoot signing errors"; the error codes
each protocol answers with, as botocore's service models and AWS's API references list them under
"Common Errors"): a request that is not signed, whose signature cannot be read, whose key nobody has,
whose signature does not match, or whose ``X-Amz-Date`` is more than 5 minutes off is refused with 403 and
the error of the service's protocol, so botocore raises the same ``ClientError`` code as on AWS:

| what is wrong | JSON protocols (Lambda, ACM, Logs, ...) | query and XML (IAM, STS, CloudFront, Route 53, ...) |
|---|---|---|
| not signed | ``MissingAuthenticationTokenException`` | ``MissingAuthenticationToken`` |
| cannot be read | ``IncompleteSignatureException`` | ``IncompleteSignature`` |
| unknown key or token | ``UnrecognizedClientException`` | ``InvalidClientTokenId`` |
| does not match, or expired | ``InvalidSignatureException`` | ``SignatureDoesNotMatch`` |

Who is accepted: the learner's own local credentials (the account root), active access keys of moto's IAM
users, and unexpired STS sessions (``identity.py``), whatever region and service the scope names (moto
answers every region). The verifier is the same as for AWS_IAM Function URLs (``sigv4.py``).

Not emulated: authorization of API calls by IAM policies (any authenticated caller may call any action),
SigV4a, S3's own error codes (S3 answers in the XML shape here).
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass

from ..http.types import HttpRequest, HttpResponse
from .identity import Identity, find_identity
from .sigv4 import SignatureError, parse_signature, verify

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."
_JSON_PROTOCOLS = {"json", "rest-json"}
_REST_JSON_PATH = re.compile(
    r"^/(20\d\d-\d\d-\d\d/(functions|layers|event-source-mappings|tags|account-settings)|restapis|apikeys|domainnames)"
)

# (JSON code, query/XML code, message when no better one is known) for each reason.
_ERRORS = {
    SignatureError.MISSING: (
        "MissingAuthenticationTokenException",
        "MissingAuthenticationToken",
        "Missing Authentication Token",
    ),
    SignatureError.MALFORMED: ("IncompleteSignatureException", "IncompleteSignature", ""),
    SignatureError.UNKNOWN_KEY: ("UnrecognizedClientException", "InvalidClientTokenId", INVALID_TOKEN),
    SignatureError.MISMATCH: ("InvalidSignatureException", "SignatureDoesNotMatch", SIGNATURE_MISMATCH),
    SignatureError.EXPIRED: ("InvalidSignatureException", "SignatureDoesNotMatch", ""),
    SignatureError.UNSIGNED_PAYLOAD: ("InvalidSignatureException", "SignatureDoesNotMatch", SIGNATURE_MISMATCH),
}
_QUERY_MISSING_MESSAGE = "Request is missing Authentication Token"


@dataclass(frozen=True)
class Authenticated:
    """A request whose signature checked out, and who signed it."""

    identity: Identity
    region: str
    service: str


@functools.lru_cache(maxsize=64)
def protocol_of(service: str) -> str | None:
    """The wire protocol of an AWS service by its signing name, from botocore's service model."""
    import botocore.loaders

    try:
        model = botocore.loaders.create_loader().load_service_model(service, "service-2")
    except Exception:  # no model by that name: the request's shape decides
        return None
    return str(model["metadata"].get("protocol") or "") or None


def _guess_protocol(request: HttpRequest) -> str:
    """The protocol of a request that names no service (an unsigned one), from its shape."""
    if request.header("x-amz-target"):
        return "json"
    content_type = (request.header("content-type") or "").lower()
    if content_type.startswith("application/x-www-form-urlencoded") or "Action=" in request.query:
        return "query"
    return "rest-json" if _REST_JSON_PATH.match(request.path) else "rest-xml"


def _scope_service(request: HttpRequest) -> str | None:
    try:
        return parse_signature(request.method, request.query, request.headers).service
    except SignatureError:
        return None


def error_response(request: HttpRequest, error: SignatureError) -> HttpResponse:
    """The 403 AWS answers for ``error``, in the shape of the request's protocol."""
    service = _scope_service(request)
    protocol = (protocol_of(service) if service else None) or _guess_protocol(request)
    json_code, xml_code, message = _ERRORS[error.reason]
    message = message or error.detail
    request_id = str(uuid.uuid4())
    if protocol in _JSON_PROTOCOLS:
        body = json.dumps({"__type": json_code, "message": message}).encode()
        content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
        headers = [("Content-Type", content_type), ("x-amzn-ErrorType", json_code), ("x-amzn-RequestId", request_id)]
        return HttpResponse(403, headers, body)
    if error.reason == SignatureError.MISSING:
        message = _QUERY_MISSING_MESSAGE
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{xml_code}</Code><Message>{_xml_text(message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return HttpResponse(403, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def authenticate(request: HttpRequest) -> Authenticated | HttpResponse:
    """Who signed ``request``, or the error response AWS gives when no one (acceptable) did."""
    try:
        parts = parse_signature(request.method, request.query, request.headers)
        found: list[Identity] = []

        def lookup(access_key: str):  # type: ignore[no-untyped-def]
            identity = find_identity(access_key)
            if identity is not None:
                found.append(identity)
            return identity.credential if identity is not None else None

        verify(
            request.method,
            request.path,
            request.query,
            request.headers,
            request.body,
            lookup=lookup,
            service=parts.service,
            region=parts.region,
        )
    except SignatureError as error:
        return error_response(request, error)
    return Authenticated(found[0], parts.region, parts.service)
