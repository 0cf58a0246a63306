"""The resources and condition keys of CloudFront, ACM, Route 53 and API Gateway calls, for ``api_authz.py``.

From the Service Authorization Reference (list_amazoncloudfront.html, list_awscertificatemanager.html,
list_amazonroute53.html, list_amazonapigatewaymanagement.html) and the services' ABAC pages:
- CloudFront: an operation on a distribution (``{Id}`` in its path) is evaluated on
  ``arn:aws:cloudfront::<account>:distribution/<id>`` with ``aws:ResourceTag/<key>`` from the distribution's
  tags; ``CreateDistributionWithTags`` on ``distribution/*`` with ``aws:RequestTag/<key>`` and ``aws:TagKeys``
  from its ``Tags``; ``TagResource``/``UntagResource``/``ListTagsForResource`` on the ARN in ``?Resource=``; an
  origin access control on ``origin-access-control/<id>`` (``/*`` to create one);
- ACM: ``RequestCertificate`` on ``arn:aws:acm:<region>:<account>:certificate/*`` with the request's tags, every
  call naming a ``CertificateArn`` on that ARN with the certificate's tags;
- Route 53: a call on a hosted zone on ``arn:aws:route53:::hostedzone/<id>``; ``ChangeResourceRecordSets`` with
  ``route53:ChangeResourceRecordSetsNormalizedRecordNames`` (lower case, no final dot, as
  specifying-rrset-conditions.html normalises them), ``...RecordTypes`` and ``...Actions``; ``GetChange`` on
  ``change/<id>``;
- API Gateway: the action is ``apigateway:<HTTP method>`` and the resource the path's ARN,
  ``arn:aws:apigateway:<region>::<path>`` (apigateway-iam-policy-resource-format-for-managing-resources); a path
  under ``/restapis/<id>`` carries that REST API's tags as ``aws:ResourceTag`` (choice: AWS evaluates child
  resources against tags they inherit from the API, apigateway-tagging-iam-policy.html); ``POST /restapis`` the
  request's ``tags``.
Anything else of these services is evaluated on ``*``, as ``api_authz.py`` says.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qsl, unquote

Context = dict[str, str | list[str]]

_CF_DISTRIBUTION = re.compile(r"^/\d{4}-\d{2}-\d{2}/distribution/([^/]+)(?:/|$)")
_CF_CONTROL = re.compile(r"^/\d{4}-\d{2}-\d{2}/origin-access-control/([^/]+)(?:/|$)")
_R53_ZONE = re.compile(r"^/\d{4}-\d{2}-\d{2}/hostedzone/([^/]+)(?:/|$)")
_R53_CHANGE = re.compile(r"^/\d{4}-\d{2}-\d{2}/change/([^/]+)$")
_API = re.compile(r"^/restapis/([^/]+)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(body: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(body) if body else None
    except ET.ParseError:
        return None


def _xml_tags(root: ET.Element | None) -> dict[str, str]:
    """``<Tag><Key>k</Key><Value>v</Value></Tag>`` pairs anywhere in ``root``."""
    tags: dict[str, str] = {}
    if root is None:
        return tags
    for element in root.iter():
        if _local(element.tag) == "Tag":
            fields = {_local(child.tag): (child.text or "") for child in element}
            if "Key" in fields:
                tags[fields["Key"]] = fields.get("Value", "")
    return tags


def request_tags(tags: dict[str, str]) -> Context:
    context: Context = {f"aws:RequestTag/{k}": str(v) for k, v in tags.items()}
    if tags:
        context["aws:TagKeys"] = list(tags)
    return context


def resource_tags(tags: dict[str, Any]) -> Context:
    return {f"aws:ResourceTag/{k}": str(v) for k, v in tags.items() if v is not None}


def _cloudfront_tags(account_id: str, arn: str) -> dict[str, str]:
    from moto.cloudfront.models import cloudfront_backends

    try:
        return dict(cloudfront_backends[account_id]["aws"].tagger.get_tag_dict_for_resource(arn))
    except Exception:
        return {}


def cloudfront(operation: str, path: str, query: str, body: bytes, account_id: str) -> tuple[str, Context]:
    """``(resource, condition keys)`` of a CloudFront call."""
    if operation == "CreateDistributionWithTags":
        return f"arn:aws:cloudfront::{account_id}:distribution/*", request_tags(_xml_tags(_xml(body)))
    if operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        arn = dict(parse_qsl(query)).get("Resource", "*")
        context = resource_tags(_cloudfront_tags(account_id, arn))
        if operation == "TagResource":
            context.update(request_tags(_xml_tags(_xml(body))))
        return arn, context
    if operation == "CreateDistribution":
        return f"arn:aws:cloudfront::{account_id}:distribution/*", {}
    if match := _CF_DISTRIBUTION.match(path):
        arn = f"arn:aws:cloudfront::{account_id}:distribution/{match.group(1)}"
        return arn, resource_tags(_cloudfront_tags(account_id, arn))
    if operation == "CreateOriginAccessControl":
        return f"arn:aws:cloudfront::{account_id}:origin-access-control/*", {}
    if match := _CF_CONTROL.match(path):
        return f"arn:aws:cloudfront::{account_id}:origin-access-control/{match.group(1)}", {}
    return "*", {}


def _certificate_tags(arn: str) -> dict[str, Any]:
    from moto.acm.models import acm_backends

    parts = arn.split(":")
    try:
        return dict(acm_backends[parts[4]][parts[3]]._certificates[arn].tags)
    except Exception:
        return {}


def acm(operation: str, body: bytes, account_id: str, region: str) -> tuple[str, Context]:
    """``(resource, condition keys)`` of an ACM call."""
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        params = {}
    if not isinstance(params, dict):
        params = {}
    tags = {t.get("Key", ""): t.get("Value", "") for t in params.get("Tags") or [] if isinstance(t, dict)}
    if operation == "RequestCertificate":
        return f"arn:aws:acm:{region}:{account_id}:certificate/*", request_tags(tags)
    arn = params.get("CertificateArn")
    if isinstance(arn, str) and arn.startswith("arn:"):
        context = resource_tags(_certificate_tags(arn))
        if operation == "AddTagsToCertificate":
            context.update(request_tags(tags))
        return arn, context
    return "*", {}


def route53(operation: str, path: str, body: bytes) -> tuple[str, Context]:
    """``(resource, condition keys)`` of a Route 53 call."""
    if match := _R53_CHANGE.match(path):
        return f"arn:aws:route53:::change/{match.group(1)}", {}
    match = _R53_ZONE.match(path)
    if match is None:
        return "*", {}
    resource = f"arn:aws:route53:::hostedzone/{match.group(1)}"
    if operation != "ChangeResourceRecordSets":
        return resource, {}
    names: list[str] = []
    types: list[str] = []
    actions: list[str] = []
    root = _xml(body)
    for change in root.iter() if root is not None else []:
        if _local(change.tag) != "Change":
            continue
        fields = {_local(child.tag): child for child in change}
        if "Action" in fields:
            actions.append((fields["Action"].text or "").strip())
        rrset = fields.get("ResourceRecordSet")
        if rrset is not None:
            parts = {_local(child.tag): (child.text or "").strip() for child in rrset}
            names.append(parts.get("Name", "").lower().rstrip("."))
            types.append(parts.get("Type", ""))
    return resource, {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
        "route53:ChangeResourceRecordSetsRecordTypes": types,
        "route53:ChangeResourceRecordSetsActions": actions,
    }


def _rest_api_tags(account_id: str, region: str, api_id: str) -> dict[str, Any]:
    from moto.apigateway.models import apigateway_backends

    try:
        return dict(apigateway_backends[account_id][region].apis[api_id].tags or {})
    except Exception:
        return {}


def apigateway(method: str, path: str, body: bytes, account_id: str, region: str) -> tuple[str, str, Context]:
    """``(action, resource, condition keys)`` of an API Gateway management call."""
    action = f"apigateway:{method.upper()}"
    clean = unquote(path.split("?")[0]).rstrip("/") or "/"
    resource = f"arn:aws:apigateway:{region}::{clean}"
    if clean == "/restapis" and method.upper() == "POST":
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        tags = params.get("tags") if isinstance(params, dict) else None
        return action, resource, request_tags(dict(tags or {}))
    if match := _API.match(clean):
        return action, resource, resource_tags(_rest_api_tags(account_id, region, match.group(1)))
    return action, resource, {}
