"""Where moto 5.2's CloudFront differs from AWS in ways a learner can see, corrected in one place.

moto keeps the distributions and origin access controls; this module patches what it stores or checks
differently from CloudFront (aws-behaviour.md §7, §10; API reference of each operation):

- an origin's ``OriginAccessControlId`` is kept (moto dropped it), and must name an existing origin access
  control (``NoSuchOriginAccessControl``, 404);
- ``UpdateDistribution`` and ``DeleteDistribution`` check ``If-Match`` against the current ETag
  (``PreconditionFailed``, 412; moto accepted any value), and every update gives the distribution a new
  ETag (moto kept one forever) and puts it back to ``InProgress`` (moto showed ``Deployed`` at once); a
  distribution becomes ``Deployed`` on the second read after a change (moto's read-driven progression,
  one read by default; on AWS it takes minutes), so a waiter shows the progress;
- ``DeleteDistribution`` refuses a distribution that is enabled or not yet ``Deployed``
  (``DistributionNotDisabled``, 409: "The distribution you are trying to delete has not been disabled.");
- a cache behaviour's ``CachePolicyId`` and ``OriginRequestPolicyId`` must name a policy the local cloud
  knows (the managed ones, ``cloudfront/policies.py``): ``NoSuchCachePolicy`` / ``NoSuchOriginRequestPolicy``
  (404) otherwise; a custom ``OriginReadTimeout`` must be 1-180 seconds (``InvalidOriginReadTimeout``;
  the API reference says 1-120 and the Knowledge Center up to 180, higher with a quota increase);
- an origin access control whose type does not fit the origin (``lambda`` for a Function URL, and only
  for one) is refused: ``IllegalOriginAccessConfiguration``, "Illegal configuration: The origin type and
  OAC origin type differ." (the message CloudFormation users report, aws-cdk issue #26405; the code is
  inferred);
- a distribution with ``Aliases`` needs a viewer certificate from ACM in us-east-1 that is ``ISSUED`` and
  covers every alias (a wildcard covers one label): ``InvalidViewerCertificate`` with CloudFront's three
  messages, checked in the guide's order: aliases without a certificate of one's own ("you must attach a
  trusted certificate"), a certificate that is missing, elsewhere or not ``ISSUED`` ("doesn't exist, isn't
  in us-east-1 region, isn't valid..."), an alias it does not cover ("doesn't cover the alternate domain
  name"); an alias another distribution has is ``CNAMEAlreadyExists`` (409);
- ``DeleteOriginAccessControl`` refuses a control that an origin still uses (``OriginAccessControlInUse``,
  409) and checks ``If-Match``; ``UpdateOriginAccessControl`` gives it a new ETag.

The error messages of ``PreconditionFailed`` and ``OriginAccessControlInUse`` are CloudFront's as SDK
users report them; those of the policy and read-timeout checks are a choice (no source quotes them).
Not emulated: custom cache and origin request policies (moto has no such API), origin groups, Lambda@Edge
and CloudFront Functions on a behaviour.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.cloudfront import models as cf_models
from moto.cloudfront import responses as cf_responses
from moto.cloudfront.exceptions import CloudFrontException, NoSuchDistribution, NoSuchOriginAccessControl
from moto.moto_api import state_manager

from .. import pace
from .distributions import every_distribution
from .policies import CACHE_POLICIES, ORIGIN_REQUEST_POLICIES


class PreconditionFailed(CloudFrontException):
    def __init__(self) -> None:
        super().__init__(
            "PreconditionFailed",
            "The precondition given in one or more of the request-header fields evaluated to false.",
        )


class DistributionNotDisabled(CloudFrontException):
    def __init__(self) -> None:
        super().__init__("DistributionNotDisabled", "The distribution you are trying to delete has not been disabled.")


class OriginAccessControlInUse(CloudFrontException):
    def __init__(self) -> None:
        super().__init__(
            "OriginAccessControlInUse",
            "The CloudFront origin access control is still being used.",
        )


class NoSuchCachePolicy(CloudFrontException):
    def __init__(self, policy_id: str) -> None:
        super().__init__("NoSuchCachePolicy", f"The cache policy does not exist: {policy_id}")


class NoSuchOriginRequestPolicy(CloudFrontException):
    def __init__(self, policy_id: str) -> None:
        super().__init__("NoSuchOriginRequestPolicy", f"The origin request policy does not exist: {policy_id}")


class InvalidOriginReadTimeout(CloudFrontException):
    def __init__(self) -> None:
        super().__init__(
            "InvalidOriginReadTimeout", "The read timeout specified for the origin is not valid (1 to 180 seconds)."
        )


class IllegalOriginAccessConfiguration(CloudFrontException):
    def __init__(self) -> None:
        super().__init__(
            "IllegalOriginAccessConfiguration", "Illegal configuration: The origin type and OAC origin type differ."
        )


class InvalidViewerCertificate(CloudFrontException):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidViewerCertificate", message)


class CNAMEAlreadyExists(CloudFrontException):
    def __init__(self) -> None:
        super().__init__(
            "CNAMEAlreadyExists",
            "One or more of the CNAMEs you provided are already associated with a different resource.",
        )


CERTIFICATE_NOT_USABLE = (
    "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a "
    "valid certificate chain."
)
_REQUIREMENTS = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-requirements"
)
NO_TRUSTED_CERTIFICATE = (
    "To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate "
    f"that validates your authorization to use the domain name. For more details, see: {_REQUIREMENTS}"
)
ALIAS_NOT_COVERED = (
    "The certificate that is attached to your distribution doesn't cover the alternate domain name (CNAME) that "
    f"you're trying to add. For more details, see: {_REQUIREMENTS}"
)


def covers(certificate_names: list[str], alias: str) -> bool:
    """Does a certificate for ``certificate_names`` cover ``alias``? A wildcard covers one label."""
    alias = alias.lower().rstrip(".")
    for name in (n.lower() for n in certificate_names):
        if name == alias or (name.startswith("*.") and alias.split(".", 1)[-1] == name[2:] and "." in alias):
            return True
    return False


def _certificate(arn: str) -> Any | None:
    from moto.acm.models import acm_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return None
    backend = acm_backends[parts[4]].get(parts[3])
    cert = backend._certificates.get(arn) if backend is not None else None
    if cert is not None:
        cert.check()
    return cert


def _validate_viewer_certificate(backend: Any, config: dict[str, Any], own_id: str | None) -> None:
    """CloudFront's checks of ``Aliases`` against ``ViewerCertificate`` (aws-behaviour.md §8)."""
    aliases = [a.lower() for a in (config.get("Aliases") or {}).get("Items") or []]
    viewer = config.get("ViewerCertificate") or {}
    arn = viewer.get("ACMCertificateArn") if isinstance(viewer, dict) else None
    if aliases and not arn:
        raise InvalidViewerCertificate(NO_TRUSTED_CERTIFICATE)
    if arn:
        cert = _certificate(arn)
        if cert is None or arn.split(":")[3] != "us-east-1" or cert.status != "ISSUED":
            raise InvalidViewerCertificate(CERTIFICATE_NOT_USABLE)
        names = list(dict.fromkeys([cert.common_name, *cert.sans]))
        if not all(covers(names, alias) for alias in aliases):
            raise InvalidViewerCertificate(ALIAS_NOT_COVERED)
    for dist in every_distribution():
        if dist.distribution_id == own_id:
            continue
        taken = {a.lower() for a in dist.distribution_config.Aliases.get("Items") or []}
        if taken & set(aliases):
            raise CNAMEAlreadyExists()


class InvalidIfMatchVersion(CloudFrontException):
    def __init__(self) -> None:
        super().__init__("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.")


_original_origin_init = cf_models.Origin.__init__


def _origin_init(self: Any, origin: dict[str, Any]) -> None:
    _original_origin_init(self, origin)
    self.origin_access_control_id = origin.get("OriginAccessControlId") or ""
    config = origin.get("CustomOriginConfig")
    timeout = (config or {}).get("OriginReadTimeout")
    if timeout is not None and not 1 <= int(timeout) <= 180:
        raise InvalidOriginReadTimeout()


def _validate(backend: Any, config: dict[str, Any], own_id: str | None = None) -> None:
    """What CloudFront checks in a distribution config that moto does not."""
    _validate_viewer_certificate(backend, config, own_id)
    for origin in config.get("Origins", {}).get("Items", []):
        control = origin.get("OriginAccessControlId") if isinstance(origin, dict) else None
        if not control:
            continue
        if control not in backend.origin_access_controls:
            raise NoSuchOriginAccessControl()
        is_url = ".lambda-url." in str(origin.get("DomainName", ""))
        if is_url != (backend.origin_access_controls[control].origin_type == "lambda"):
            raise IllegalOriginAccessConfiguration()
    behaviours = [config.get("DefaultCacheBehavior") or {}]
    behaviours += (config.get("CacheBehaviors") or {}).get("Items") or []
    for behaviour in behaviours:
        cache = behaviour.get("CachePolicyId")
        if cache and cache not in CACHE_POLICIES:
            raise NoSuchCachePolicy(cache)
        request = behaviour.get("OriginRequestPolicyId")
        if request and request not in ORIGIN_REQUEST_POLICIES:
            raise NoSuchOriginRequestPolicy(request)


def _fresh_etag() -> str:
    return cf_models.random_id(length=14)


def _mark_in_progress(dist: Any) -> None:
    """A changed distribution is ``InProgress`` again, for two reads (moto's read-driven progression), or for
    ``KIT_PACE_CLOUDFRONT_S`` seconds (``pace.py``)."""
    dist.status = "InProgress"
    dist._tick = 0
    dist._time_progressed = datetime.datetime.now()


_original_create = cf_models.CloudFrontBackend.create_distribution_with_tags


def _create(self: Any, distribution_config: dict[str, Any], tags: list[dict[str, str]]) -> Any:
    _validate(self, distribution_config)
    return _original_create(self, distribution_config, tags)


def _matching(backend: Any, distribution_id: str, if_match: str | None) -> Any:
    """The distribution, if ``If-Match`` names its current ETag (CloudFront's precondition)."""
    dist = backend.distributions.get(distribution_id)
    if dist is None:
        raise NoSuchDistribution()
    if not if_match:
        raise InvalidIfMatchVersion()
    if if_match != dist.etag:
        raise PreconditionFailed()
    return dist


def _update(self: Any, dist_config: dict[str, Any], _id: str, if_match: str | None) -> Any:
    dist = _matching(self, _id, if_match)
    _validate(self, dist_config, _id)
    dist.distribution_config = cf_models.DistributionConfig(dist_config)
    dist.etag = _fresh_etag()
    _mark_in_progress(dist)
    return dist, dist.location, dist.etag


def _delete(self: Any, distribution_id: str, if_match: str | None) -> None:
    dist = _matching(self, distribution_id, if_match)
    if dist.distribution_config.Enabled or dist._status != "Deployed":
        raise DistributionNotDisabled()
    del self.distributions[distribution_id]


def _control_in_use(backend: Any, control_id: str) -> bool:
    for dist in backend.distributions.values():
        for origin in dist.distribution_config.Origins["Items"]:
            if getattr(origin, "origin_access_control_id", "") == control_id:
                return True
    return False


def _delete_control(self: Any, control_id: str, if_match: str | None = None) -> None:
    control = self.origin_access_controls.get(control_id)
    if control is None:
        raise NoSuchOriginAccessControl()
    if if_match is not None and if_match != control.etag:
        raise PreconditionFailed()
    if _control_in_use(self, control_id):
        raise OriginAccessControlInUse()
    del self.origin_access_controls[control_id]


_original_update_control = cf_models.CloudFrontBackend.update_origin_access_control


def _update_control(self: Any, control_id: str, config: dict[str, str]) -> Any:
    control = _original_update_control(self, control_id, config)
    control.etag = cf_models.random_id()
    return control


def _resp_delete_control(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    self.backend.delete_origin_access_control(self._get_param("Id"), self._get_param("IfMatch"))
    return EmptyResult()


_applied = False


def apply() -> None:
    """Install the corrections (idempotent)."""
    global _applied
    if _applied:
        return
    # Two reads from InProgress to Deployed, so a waiter shows the progression (moto's default: one); or, paced
    # like AWS for a rehearsal, a time (pace.py).
    paced = pace.seconds("CLOUDFRONT")
    transition = {"progression": "time", "seconds": paced} if paced else {"progression": "manual", "times": 2}
    state_manager.set_transition("cloudfront::distribution", transition)
    cf_models.Origin.__init__ = _origin_init  # type: ignore[method-assign]
    backend = cf_models.CloudFrontBackend
    backend.create_distribution_with_tags = _create  # type: ignore[method-assign]
    backend.update_distribution = _update  # type: ignore[method-assign]
    backend.delete_distribution = _delete  # type: ignore[method-assign]
    backend.delete_origin_access_control = _delete_control  # type: ignore[method-assign]
    backend.update_origin_access_control = _update_control  # type: ignore[method-assign]
    cf_responses.CloudFrontResponse.delete_origin_access_control = _resp_delete_control  # type: ignore[method-assign]
    _applied = True
