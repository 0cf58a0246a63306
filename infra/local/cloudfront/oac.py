"""Origin Access Control for a Lambda Function URL origin: the edge signs origin requests as CloudFront.

Emulates (CloudFront Developer Guide, private-content-restricting-access-to-lambda.html; aws-behaviour.md §7):
- signing behaviour ``always``: the viewer's ``Authorization`` (and its ``X-Amz-Date`` /
  ``X-Amz-Security-Token``) is dropped and the request is signed; ``no-override``: a viewer request that
  carries ``Authorization`` goes on as it is, one without it is signed; ``never``: nothing is signed;
- the signature is SigV4 for service ``lambda`` in the URL's region, by the CloudFront service principal
  acting for this distribution (``aws:SourceArn`` = the distribution's ARN, ``aws:SourceAccount`` = its
  account), so the URL's resource policy decides, through the same evaluator as any caller;
- CloudFront does not read the body to sign it: the payload hash it signs is the viewer's
  ``x-amz-content-sha256`` when there is one, and the empty body's otherwise, so a POST/PUT with a body
  and without that header fails the signature check at the URL (inferred from the documented requirement
  that viewers send the header; what CloudFront signs instead is not published).

Only origin access controls of type ``lambda`` sign here; the others (s3, mediastore, mediapackagev2)
concern origins the local cloud does not serve.

Choice: the ``requestContext.authorizer.iam`` block the function sees for such a request names the
service principal (``userArn`` = ``cloudfront.amazonaws.com``) with the distribution's account id; what AWS
puts there is not documented.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field

from ..iam.identity import Identity, register_service_session
from ..iam.sigv4 import EMPTY_SHA256, Credential, sign_headers
from .distributions import EdgeDistribution, OriginAccess

SERVICE = "cloudfront.amazonaws.com"
_VIEWER_SIGNATURE = {"authorization", "x-amz-date", "x-amz-security-token"}


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class OriginAccessSigner:
    """Holds one temporary CloudFront session per distribution and signs origin requests with it."""

    _sessions: dict[str, Identity] = field(default_factory=dict)

    def session(self, distribution: EdgeDistribution) -> Identity:
        identity = self._sessions.get(distribution.arn)
        if identity is None:
            credential = Credential(
                "ASIA" + _random(string.ascii_uppercase + string.digits, 16),
                _random(string.ascii_letters + string.digits, 40),
                _random(string.ascii_letters + string.digits, 64),
            )
            identity = Identity(
                credential,
                distribution.account_id,
                SERVICE,
                SERVICE,
                service=SERVICE,
                source=(("aws:SourceArn", distribution.arn), ("aws:SourceAccount", distribution.account_id)),
            )
            register_service_session(identity)
            self._sessions[distribution.arn] = identity
        return identity

    def apply(
        self,
        access: OriginAccess,
        distribution: EdgeDistribution,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        region: str,
        content_sha256: str | None = None,
    ) -> list[tuple[str, str]]:
        """The origin request's headers once the origin access control's signing behaviour is applied.

        ``content_sha256`` is the viewer's ``x-amz-content-sha256``: CloudFront signs with it and sends it on.
        """
        if access.origin_type != "lambda" or access.signing_behavior == "never":
            return headers
        has_viewer_signature = any(name.lower() == "authorization" for name, _ in headers)
        if access.signing_behavior == "no-override" and has_viewer_signature:
            return headers
        headers = [(n, v) for n, v in headers if n.lower() not in _VIEWER_SIGNATURE | {"x-amz-content-sha256"}]
        declared = content_sha256.strip().lower() if content_sha256 else None
        if declared:
            headers.append(("x-amz-content-sha256", declared))
        signed = sign_headers(
            method,
            path,
            query,
            tuple(headers),
            credential=self.session(distribution).credential,
            service="lambda",
            region=region,
            payload_sha256=declared or EMPTY_SHA256,
        )
        return headers + signed
