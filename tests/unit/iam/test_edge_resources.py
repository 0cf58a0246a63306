"""The resources and condition keys of CloudFront, ACM, Route 53 and API Gateway calls (``iam/edge_resources.py``)."""

from __future__ import annotations

import json

from infra.local.iam import edge_resources

ACCOUNT = "123456789012"


def test_a_tagged_distribution_is_created_on_distribution_star_with_its_request_tags() -> None:
    body = (
        b'<?xml version="1.0"?><DistributionConfigWithTags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        b"<DistributionConfig><Comment>x</Comment></DistributionConfig><Tags><Items>"
        b"<Tag><Key>learner</Key><Value>ann</Value></Tag><Tag><Key>kit</Key><Value>lambda-url-kit</Value></Tag>"
        b"</Items></Tags></DistributionConfigWithTags>"
    )
    resource, context = edge_resources.cloudfront(
        "CreateDistributionWithTags", "/2020-05-31/distribution", "WithTags", body, ACCOUNT
    )
    assert resource == f"arn:aws:cloudfront::{ACCOUNT}:distribution/*"
    assert context == {
        "aws:RequestTag/learner": "ann",
        "aws:RequestTag/kit": "lambda-url-kit",
        "aws:TagKeys": ["learner", "kit"],
    }
    resource, _ = edge_resources.cloudfront(
        "GetDistributionConfig", "/2020-05-31/distribution/E1AB/config", "", b"", ACCOUNT
    )
    assert resource == f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1AB"
    resource, _ = edge_resources.cloudfront(
        "DeleteOriginAccessControl", "/2020-05-31/origin-access-control/E2CD", "", b"", ACCOUNT
    )
    assert resource == f"arn:aws:cloudfront::{ACCOUNT}:origin-access-control/E2CD"


def test_record_changes_carry_their_normalised_names_types_and_actions() -> None:
    body = (
        b'<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>'
        b"<Change><Action>UPSERT</Action><ResourceRecordSet><Name>API.ann.Class.test.</Name><Type>A</Type>"
        b"</ResourceRecordSet></Change><Change><Action>DELETE</Action><ResourceRecordSet>"
        b"<Name>_x.ann.class.test</Name><Type>CNAME</Type></ResourceRecordSet></Change></Changes></ChangeBatch>"
        b"</ChangeResourceRecordSetsRequest>"
    )
    resource, context = edge_resources.route53("ChangeResourceRecordSets", "/2013-04-01/hostedzone/Z123/rrset/", body)
    assert resource == "arn:aws:route53:::hostedzone/Z123"
    assert context == {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["api.ann.class.test", "_x.ann.class.test"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["A", "CNAME"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
    }
    assert edge_resources.route53("GetChange", "/2013-04-01/change/C9", b"")[0] == "arn:aws:route53:::change/C9"


def test_acm_and_api_gateway_name_their_resources_as_iam_does() -> None:
    body = json.dumps({"DomainName": "api.ann.class.test", "Tags": [{"Key": "learner", "Value": "ann"}]}).encode()
    resource, context = edge_resources.acm("RequestCertificate", body, ACCOUNT, "us-east-1")
    assert resource == f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/*"
    assert context["aws:RequestTag/learner"] == "ann"
    action, resource, context = edge_resources.apigateway(
        "post", "/restapis", json.dumps({"name": "x", "tags": {"learner": "ann"}}).encode(), ACCOUNT, "ap-northeast-2"
    )
    assert (action, resource) == ("apigateway:POST", "arn:aws:apigateway:ap-northeast-2::/restapis")
    assert context == {"aws:RequestTag/learner": "ann", "aws:TagKeys": ["learner"]}
    action, resource, _ = edge_resources.apigateway("DELETE", "/restapis/abc123/", b"", ACCOUNT, "ap-northeast-2")
    assert (action, resource) == ("apigateway:DELETE", "arn:aws:apigateway:ap-northeast-2::/restapis/abc123")
