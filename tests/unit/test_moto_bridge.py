"""MotoBridge answers malformed AWS API requests with AWS's 4xx in the protocol's shape, never a 5xx.

A property-based fuzzer drives ``MotoBridge.handle`` directly (no sockets) for every service the kit uses and
checks each answer with botocore's own parser for that service's protocol.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote, urlencode

import botocore.parsers
import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.aws_protocols import KIT_SERVICES, Catalog, Service, diagnose
from infra.local.http.types import HttpRequest, HttpResponse
from infra.local.moto_bridge import MotoBridge

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/{}/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
CATALOG = Catalog()
SERVICES = {service.name: service for service in CATALOG.services}
EXAMPLES_PER_SERVICE = 170  # x 10 services: about 1,700 requests


@pytest.fixture(scope="module")
def bridge() -> MotoBridge:
    return MotoBridge()


def parse_error(protocol: str, response: HttpResponse) -> dict[str, str]:
    parser = botocore.parsers.create_parser(protocol)
    headers = HeadersDict(response.headers)
    parsed = parser.parse({"status_code": response.status, "headers": headers, "body": response.body}, None)
    return parsed["Error"]


def assert_aws_error(service: Service, response: HttpResponse, request: HttpRequest) -> str:
    assert 400 <= response.status < 500, (request, response)
    error = parse_error(service.protocol, response)
    assert error.get("Code") and error["Code"] != str(response.status), (request, response)
    return error["Code"]


# --- strategies -----------------------------------------------------------------------------------------------

junk_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
junk_bytes = st.binary(max_size=80)
wrong_scalars = st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False), junk_text, st.just([]), st.just({}))


def wrong_value(shape: Shape) -> st.SearchStrategy[Any]:
    """A JSON value that is *not* of ``shape``'s type."""
    kind = shape.type_name
    if kind in ("string", "blob", "timestamp"):
        return st.one_of(st.booleans(), st.just([1]), st.just({"a": 1}))
    if kind in ("integer", "long", "float", "double"):
        return st.one_of(junk_text, st.booleans(), st.just([]))
    if kind == "boolean":
        return st.one_of(st.integers(), junk_text, st.just({}))
    if kind == "list":
        return st.one_of(junk_text, st.integers(), st.just({"k": "v"}))
    return st.one_of(junk_text, st.integers(), st.just([1, 2]))  # structure, map


def plausible_value(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """A JSON value of ``shape``'s type with content moto did not expect (empty, odd, huge, negative)."""
    kind = shape.type_name
    if kind in ("string", "blob"):
        return st.one_of(junk_text, st.sampled_from(["", "arn:aws:x", "../..", "a" * 300]))
    if kind == "timestamp":
        return st.one_of(st.integers(-(2**40), 2**40), junk_text)
    if kind in ("integer", "long"):
        return st.integers(-(2**63), 2**63)
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if depth > 2:
        return st.none()
    if kind == "list":
        return st.lists(plausible_value(shape.member, depth + 1), max_size=3)  # type: ignore[attr-defined]
    if kind == "map":
        return st.dictionaries(junk_text, plausible_value(shape.value, depth + 1), max_size=3)  # type: ignore[attr-defined]
    members = list(shape.members.items())
    if not members:
        return st.just({})
    return st.fixed_dictionaries({}, optional={n: plausible_value(m, depth + 1) for n, m in members[:12]})


@st.composite
def json_body(draw: st.DrawFn, shape: Shape | None) -> bytes:
    members = [] if shape is None else [(n, m) for n, m in shape.members.items() if not m.serialization.get("location")]
    choice = draw(st.sampled_from(["junk", "truncated", "not-object", "wrong-type", "plausible"]))
    if choice == "junk" or shape is None:
        return draw(junk_bytes)
    if choice == "not-object":
        return json.dumps(draw(st.one_of(st.lists(st.integers()), st.integers(), junk_text))).encode()
    valid = json.dumps(draw(plausible_value(shape))).encode()
    if choice == "truncated":
        return valid[: draw(st.integers(0, max(0, len(valid) - 1)))]
    if choice == "wrong-type" and members:
        name, member = draw(st.sampled_from(members))
        return json.dumps({member.serialization.get("name", name): draw(wrong_value(member))}).encode()
    return valid


def auth_headers(draw: st.DrawFn, service: Service) -> tuple[tuple[str, str], ...]:
    signed = draw(st.booleans()) or service.protocol == "query"
    return (("Authorization", AUTH.format(service.signing_name)),) if signed else ()


def fill_uri(draw: st.DrawFn, operation: OperationModel) -> tuple[str, str]:
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    label = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True), junk_text.filter(bool))
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + quote(draw(label), safe="") + path[end + 1 :]
    return path, query


@st.composite
def json_request(draw: st.DrawFn, service: Service) -> HttpRequest:
    prefix = str(service.model.metadata["targetPrefix"])
    operation = draw(st.sampled_from(sorted(service.operations)))
    target = draw(
        st.one_of(
            st.just(f"{prefix}.{operation}"),
            st.builds(lambda s: f"{prefix}.{s}", junk_text),
            st.builds(lambda s: f"{s}.{operation}", st.from_regex(r"[A-Za-z_0-9]{1,12}", fullmatch=True)),
        )
    )
    body = draw(json_body(service.operations[operation].input_shape))
    headers = (("X-Amz-Target", target), ("Content-Type", "application/x-amz-json-1.1"), *auth_headers(draw, service))
    return HttpRequest("POST", "/", "", headers, body)


@st.composite
def query_request(draw: st.DrawFn, service: Service) -> HttpRequest:
    operation = service.operations[draw(st.sampled_from(sorted(service.operations)))]
    params: dict[str, str] = {"Version": service.model.api_version}
    action = draw(st.one_of(st.just(operation.name), junk_text, st.none()))
    if action is not None:
        params["Action"] = action
    members = list(operation.input_shape.members.items()) if operation.input_shape is not None else []
    if members:
        for name, member in draw(st.lists(st.sampled_from(members), max_size=3)):
            params[member.serialization.get("name", name)] = draw(junk_text)  # ints and booleans get junk too
    body = urlencode(params).encode()
    body = draw(st.sampled_from([body, body + b"&%ZZ=%", b"\xff\xfe" + body, body[: len(body) // 2], b"==&&="]))
    headers = (("Content-Type", "application/x-www-form-urlencoded"), *auth_headers(draw, service))
    return HttpRequest("POST", "/", "", headers, body)


@st.composite
def rest_request(draw: st.DrawFn, service: Service) -> HttpRequest:
    operation = service.operations[draw(st.sampled_from(sorted(service.operations)))]
    path, query = fill_uri(draw, operation)
    method = draw(st.sampled_from([operation.http["method"]] * 4 + ["GET", "PUT", "DELETE", "PATCH"]))
    path = draw(st.sampled_from([path, path + "/nope", "/" + path.split("/")[1] + "/" + quote(draw(junk_text))]))
    shape = operation.input_shape
    queries = [query]
    if shape is not None:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "querystring":
                key = member.serialization.get("name", name)
                queries.append("&".join(filter(None, [query, urlencode({key: draw(junk_text)})])))
    query = draw(st.sampled_from([*queries, "%ZZ&=&", "a=%E0%A4%A"]))
    if service.protocol == "rest-xml":
        payload = shape.serialization.get("payload") if shape is not None else None
        root = shape.members[payload].serialization.get("name", payload) if payload else "X"
        body = draw(
            st.sampled_from(
                [b"", f"<{root}><Id>1</Id></{root}>".encode(), f"<{root}><".encode(), b"<Other/>", b"{not xml"]
            )
            | junk_bytes
        )
        content_type = "application/xml"
    else:
        body = draw(json_body(shape)) if method in ("POST", "PUT", "PATCH") else b""
        content_type = "application/json"
    headers = (("Content-Type", content_type), *auth_headers(draw, service))
    return HttpRequest(method, path, query, headers, body)


def malformed_request(service: Service) -> st.SearchStrategy[HttpRequest]:
    if service.protocol == "json":
        return json_request(service)
    if service.protocol == "query":
        return query_request(service)
    return rest_request(service)


# --- the fuzzer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KIT_SERVICES)
def test_malformed_requests_get_aws_4xx(bridge: MotoBridge, name: str, caplog: pytest.LogCaptureFixture) -> None:
    service = SERVICES[name]
    caplog.set_level(logging.CRITICAL, logger="infra.local.moto")  # moto's tracebacks: expected here, not shown
    codes: set[str] = set()

    @settings(
        max_examples=EXAMPLES_PER_SERVICE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(malformed_request(service))
    def check(request: HttpRequest) -> None:
        response = bridge.handle(request)
        if response.status < 400:
            return  # well-formed after all (e.g. a List call with junk that is still a string): moto's answer
        codes.add(assert_aws_error(service, response, request))

    check()
    assert codes, "the fuzzer sent nothing malformed"


# --- explicit cases -----------------------------------------------------------------------------------------


def handle(bridge: MotoBridge, service: str, method: str, path: str, body: bytes = b"", **extra: Any) -> HttpResponse:
    headers = [("Authorization", AUTH.format(SERVICES[service].signing_name))]
    headers += list(extra.pop("headers", ()))
    return bridge.handle(HttpRequest(method, path, extra.pop("query", ""), tuple(headers), body))


def test_json_protocol_errors(bridge: MotoBridge) -> None:
    acm = SERVICES["acm"]
    unknown = handle(bridge, "acm", "POST", "/", b"{}", headers=[("X-Amz-Target", "CertificateManager.Nope")])
    assert (unknown.status, assert_aws_error(acm, unknown, None)) == (400, "UnknownOperationException")  # type: ignore[arg-type]
    target = [("X-Amz-Target", "CertificateManager.ListCertificates")]
    not_json = handle(bridge, "acm", "POST", "/", b"{", headers=target)
    assert parse_error("json", not_json)["Code"] == "SerializationException"
    wrong = handle(bridge, "acm", "POST", "/", b'{"MaxItems": "ten"}', headers=target)
    assert (
        parse_error("json", wrong)["Code"] == "SerializationException"
        and "MaxItems" in parse_error("json", wrong)["Message"]
    )
    fine = handle(bridge, "acm", "POST", "/", b'{"MaxItems": 10}', headers=target)
    assert fine.status == 200 and "CertificateSummaryList" in json.loads(fine.body)


def test_query_protocol_errors(bridge: MotoBridge) -> None:
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    unknown = handle(bridge, "iam", "POST", "/", b"Action=ListRolez&Version=2010-05-08", headers=form)
    error = parse_error("query", unknown)
    assert (unknown.status, error["Code"]) == (400, "InvalidAction")
    assert error["Message"] == "Could not find operation ListRolez for version 2010-05-08"
    malformed = handle(bridge, "sts", "POST", "/", b"Action=GetCallerIdentity&%ZZ", headers=form)
    assert (malformed.status, parse_error("query", malformed)["Code"]) == (404, "MalformedQueryString")
    missing = handle(bridge, "cloudformation", "POST", "/", b"Version=2010-05-15", headers=form)
    assert parse_error("query", missing)["Code"] == "MissingAction"
    wrong = handle(bridge, "iam", "POST", "/", b"Action=ListRoles&Version=2010-05-08&MaxItems=ten", headers=form)
    assert (wrong.status, parse_error("query", wrong)["Code"]) == (400, "InvalidInput")


def test_cloudwatch_speaks_json_as_botocore_sends_it_and_query_as_older_sdks_do(bridge: MotoBridge) -> None:
    json_headers = [("Content-Type", "application/x-amz-json-1.0")]
    target = "GraniteServiceVersion20100801"
    unknown = handle(
        bridge, "cloudwatch", "POST", "/", b"{}", headers=[*json_headers, ("X-Amz-Target", f"{target}.Nope")]
    )
    assert (unknown.status, parse_error("json", unknown)["Code"]) == (400, "UnknownOperationException")
    listing = [*json_headers, ("X-Amz-Target", f"{target}.ListMetrics")]
    wrong = handle(bridge, "cloudwatch", "POST", "/", b'{"Namespace": 7}', headers=listing)
    assert (wrong.status, parse_error("json", wrong)["Code"]) == (400, "SerializationException")
    fine = handle(bridge, "cloudwatch", "POST", "/", b'{"Namespace": "AWS/CloudFront"}', headers=listing)
    assert fine.status == 200 and "Metrics" in json.loads(fine.body)
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    queried = handle(bridge, "cloudwatch", "POST", "/", b"Action=ListMetrics&Version=2010-08-01", headers=form)
    assert queried.status == 200 and b"ListMetricsResult" in queried.body
    typo = handle(bridge, "cloudwatch", "POST", "/", b"Action=ListMetricz&Version=2010-08-01", headers=form)
    assert (typo.status, parse_error("query", typo)["Code"]) == (400, "InvalidAction")


def test_rest_json_errors(bridge: MotoBridge) -> None:
    unknown = handle(bridge, "lambda", "GET", "/2015-03-31/nothing-here")
    assert unknown.status == 404 and unknown.header("x-amzn-ErrorType") == "UnknownOperationException"
    not_json = handle(bridge, "lambda", "POST", "/2015-03-31/functions", b'{"FunctionName": ')
    assert parse_error("rest-json", not_json)["Code"] == "InvalidRequestContentException"
    assert parse_error("rest-json", not_json)["Message"].startswith("Could not parse request body into json: ")
    wrong = handle(bridge, "lambda", "POST", "/2015-03-31/functions", b'{"FunctionName": "f", "Timeout": "long"}')
    assert (wrong.status, parse_error("rest-json", wrong)["Code"]) == (400, "InvalidRequestContentException")
    bad_int = handle(bridge, "lambda", "GET", "/2015-03-31/functions/", query="MaxItems=lots")
    assert (bad_int.status, parse_error("rest-json", bad_int)["Code"]) == (400, "InvalidParameterValueException")
    gateway = handle(bridge, "apigateway", "POST", "/restapis", b"[1, 2]")
    assert (gateway.status, parse_error("rest-json", gateway)["Code"]) == (400, "BadRequestException")


def test_rest_xml_errors(bridge: MotoBridge) -> None:
    not_xml = handle(bridge, "cloudfront", "POST", "/2020-05-31/distribution", b"<DistributionConfig><")
    assert (not_xml.status, parse_error("rest-xml", not_xml)["Code"]) == (400, "MalformedInput")
    wrong_root = handle(bridge, "cloudfront", "POST", "/2020-05-31/distribution", b"<HostedZone/>")
    assert parse_error("rest-xml", wrong_root)["Code"] == "MalformedInput"
    unknown = handle(bridge, "route53", "GET", "/2013-04-01/nothing")
    assert (unknown.status, parse_error("rest-xml", unknown)["Code"]) == (404, "UnknownOperationException")


def test_moto_failure_is_a_400_with_its_traceback_logged(bridge: MotoBridge, caplog: pytest.LogCaptureFixture) -> None:
    # A CreateDistribution moto cannot read (its DistributionConfig lacks every required element).
    body = b'<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Comment>x</Comment></DistributionConfig>'
    with caplog.at_level(logging.ERROR, logger="infra.local.moto"):
        response = handle(bridge, "cloudfront", "POST", "/2020-05-31/distribution", body)
    assert response.status == 400
    assert parse_error("rest-xml", response)["Code"] == "InvalidArgument"
    assert any(record.exc_info or "moto answered" in record.getMessage() for record in caplog.records)


def test_well_formed_request_passes_through_untouched(bridge: MotoBridge) -> None:
    response = handle(
        bridge,
        "sts",
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
    )
    assert response.status == 200 and b"<Account>" in response.body
    missing = handle(bridge, "lambda", "GET", "/2015-03-31/functions/does-not-exist")
    assert missing.status == 404 and parse_error("rest-json", missing)["Code"] == "ResourceNotFoundException"


def test_catalog_reads_every_kit_service_from_botocore() -> None:
    session = botocore.session.get_session()
    for name in KIT_SERVICES:
        assert SERVICES[name].protocol == session.get_service_model(name).resolved_protocol  # what botocore sends
    assert CATALOG.by_target["Logs_20140328"].name == "logs"
    assert CATALOG.by_target["GraniteServiceVersion20100801"].name == "cloudwatch"


def test_valid_requests_are_read_as_their_operation() -> None:
    def read(service: str, method: str, path: str, query: str = "", body: bytes = b"") -> tuple[str, Any]:
        request = HttpRequest(method, path, query, (("Authorization", AUTH.format(service)),), body)
        diagnosis = diagnose(CATALOG, request)
        return (diagnosis.operation.name if diagnosis.operation else ""), diagnosis.error

    assert read("cloudfront", "POST", "/2020-05-31/distribution", "WithTags") == ("CreateDistributionWithTags", None)
    assert read("cloudfront", "POST", "/2020-05-31/tagging", "Operation=Untag&Resource=arn%3Ax") == (
        "UntagResource",
        None,
    )
    assert read("lambda", "GET", "/2015-03-31/functions/my-fn") == ("GetFunction", None)
    assert read("lambda", "GET", "/2015-03-31/functions/", "MaxItems=5") == ("ListFunctions", None)
    assert read("route53", "GET", "/2013-04-01/hostedzone/Z1/rrset/") == ("ListResourceRecordSets", None)
    assert read("apigateway", "GET", "/restapis/abc/resources", "limit=5") == ("GetResources", None)
