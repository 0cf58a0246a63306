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
answers every region). The verifier is the same as for AWS_IAM Function URLs (``sigv4.py``); the error is
sent in the request's protocol by ``aws_protocols.error_response``, the same shapes moto's errors take.

Authorization of an IAM user's calls by its policies and permissions boundary is ``api_authz.py``'s; the
account root and role sessions are not evaluated there.

Not emulated: SigV4a, S3's own error codes (S3 answers in the XML shape here).
"""

from __future__ import annotations

from ..http.types import HttpRequest
from .identity import Identity, signed_by
from .sigv4 import SignatureError, parse_signature

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."
_JSON_PROTOCOLS = {"json", "rest-json"}

# reason -> (JSON code, query/XML code, JSON message, query/XML message); "" takes the verifier's detail.
_ERRORS = {
    SignatureError.MISSING: (
        "MissingAuthenticationTokenException",
        "MissingAuthenticationToken",
        "Missing Authentication Token",
        "Request is missing Authentication Token",
    ),
    SignatureError.MALFORMED: ("IncompleteSignatureException", "IncompleteSignature", "", ""),
    SignatureError.UNKNOWN_KEY: ("UnrecognizedClientException", "InvalidClientTokenId", INVALID_TOKEN, INVALID_TOKEN),
    SignatureError.MISMATCH: (
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        SIGNATURE_MISMATCH,
        SIGNATURE_MISMATCH,
    ),
    SignatureError.EXPIRED: ("InvalidSignatureException", "SignatureDoesNotMatch", "", ""),
    SignatureError.UNSIGNED_PAYLOAD: (
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        SIGNATURE_MISMATCH,
        SIGNATURE_MISMATCH,
    ),
}


def authenticate(request: HttpRequest) -> tuple[Identity, str]:
    """Who signed ``request`` for the service and region its scope names, and that region (the one the call
    is for: moto answers every region); ``SignatureError`` if no one did."""
    parts = parse_signature(request.method, request.query, request.headers)
    return signed_by(request, service=parts.service, region=parts.region), parts.region


def auth_error(error: SignatureError, protocol: str) -> tuple[int, str, str]:
    """``(status, code, message)`` AWS answers for ``error`` in ``protocol`` (botocore's protocol names)."""
    json_code, xml_code, json_message, xml_message = _ERRORS[error.reason]
    if protocol in _JSON_PROTOCOLS:
        return 403, json_code, json_message or error.detail
    return 403, xml_code, xml_message or error.detail
