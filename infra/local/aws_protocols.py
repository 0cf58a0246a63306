"""What an AWS API request is, read from botocore's own service models, and AWS's error for a malformed one.

The four wire protocols of the services the kit uses (the one botocore picks for each model, below):

| protocol | services | the operation is named by | error shape |
|---|---|---|---|
| ``json`` | acm, logs, cloudwatch | ``X-Amz-Target: <prefix>.<Operation>`` | ``{"__type": code, "message": ...}`` |
| ``rest-json`` | lambda, apigateway | method + ``requestUri`` | ``x-amzn-ErrorType: code``, ``{"message": ...}`` |
| ``query`` | iam, sts, cloudformation | ``Action=`` (form or query) | ``<ErrorResponse><Error><Code>`` |
| ``rest-xml`` | cloudfront, route53 | method + ``requestUri`` | ``<ErrorResponse><Error><Code>`` |

A service's protocol is the one botocore picks from the model's ``protocols`` (CloudWatch's model lists
``smithy-rpc-v2-cbor``, ``json`` and ``query``: botocore sends ``json``, which moto reads); a form-encoded
request to a service that also accepts ``query`` (CloudWatch, from older SDKs) is read as ``query``.

A request names its service by its SigV4 credential scope (the signing name) when it has one, else by what
only one service's model accepts (target prefix, action, first path segment).

Emulates (AWS "Common Errors" pages, e.g. docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html):
``InvalidAction`` (400) for an action the query service does not have, ``MissingAction`` (400),
``MalformedQueryString`` (404) for a body or query string that is not form-encoded.
JSON protocol: an unknown target is 400 ``{"__type":"UnknownOperationException"}`` (observed from CloudWatch
Logs: aws/aws-sdk-net#1536); a body that is not a JSON object, or a member of the wrong type, is
``SerializationException`` (400). Lambda: a body that is not JSON is ``InvalidRequestContentException``
"Could not parse request body into json: ..." (observed: awsdocs/aws-lambda-developer-guide#382,
aws/aws-sdk-js#1876).

Choices (no source): an unknown route of a REST service is 404 ``UnknownOperationException`` (the Smithy
servers' name); a REST member of the wrong type is the service's own "bad value" error, the first of
``InvalidParameterValueException``, ``BadRequestException``, ``InvalidArgument``, ``InvalidInput``,
``InvalidParameterException``, ``ValidationException`` that its model declares (else ``ValidationError`` for
query and ``ValidationException`` for the others); a rest-xml body that is not XML of the payload's element is
``MalformedInput``; query members of the wrong type are checked at the top level only; unknown members are
ignored, as AWS's JSON deserialisers do. Messages are the kit's own unless a source above gives one.
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from .http.types import HttpRequest, HttpResponse

#: The services the kit uses; requests for any other pass to moto as they are.
KIT_SERVICES = (
    "lambda",
    "iam",
    "sts",
    "cloudfront",
    "acm",
    "route53",
    "logs",
    "apigateway",
    "cloudformation",
    "cloudwatch",
)
_BAD_VALUE_CODES = (
    "InvalidParameterValueException",
    "BadRequestException",
    "InvalidArgument",
    "InvalidInput",
    "InvalidParameterException",
    "ValidationException",
)
_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/")
_MAX_DEPTH = 32
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ApiError:
    """An AWS error to send: HTTP status, error code, message (``None``: the body carries none)."""

    status: int
    code: str
    message: str | None


@dataclass
class Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # required query keys (and values) from the requestUri


def _route(operation: OperationModel) -> Route:
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    parts = []
    for piece in re.split(r"(\{[^}]+\})", path.rstrip("/") or "/"):
        if piece.startswith("{"):
            parts.append(".+" if piece.endswith("+}") else "[^/]+")
        else:
            parts.append(re.escape(piece))
    required = tuple((k, v if sep else None) for k, sep, v in (p.partition("=") for p in query.split("&") if p))
    return Route(operation, operation.http["method"], re.compile("^" + "".join(parts) + "/?$"), required)


@dataclass
class Service:
    """One service's botocore model and what the bridge derives from it."""

    name: str
    model: ServiceModel

    @property
    def protocol(self) -> str:
        """The protocol botocore speaks to the service: the first of its ``protocols`` that botocore
        supports (CloudWatch lists ``smithy-rpc-v2-cbor``, ``json``, ``query``; botocore 1.44 sends ``json``)."""
        return str(self.model.resolved_protocol)

    @cached_property
    def protocols(self) -> tuple[str, ...]:
        """Every protocol the service's model says it accepts."""
        return tuple(self.model.metadata.get("protocols") or [self.model.metadata["protocol"]])

    @cached_property
    def signing_name(self) -> str:
        return str(self.model.metadata.get("signingName") or self.model.endpoint_prefix)

    @cached_property
    def operations(self) -> dict[str, OperationModel]:
        return {name: self.model.operation_model(name) for name in self.model.operation_names}

    @cached_property
    def routes(self) -> dict[tuple[str, str], list[Route]]:
        """(method, first path segment) -> routes, those with required query keys first."""
        table: dict[tuple[str, str], list[Route]] = {}
        for operation in self.operations.values():
            route = _route(operation)
            segment = operation.http["requestUri"].split("?")[0].split("/")[1:2] or [""]
            table.setdefault((route.method, segment[0]), []).append(route)
        for routes in table.values():
            routes.sort(key=lambda r: -len(r.query))
        return table

    @cached_property
    def first_segments(self) -> set[str]:
        return {segment for _, segment in self.routes}

    @cached_property
    def error_codes(self) -> set[str]:
        return {shape.metadata.get("error", {}).get("code") or shape.name for shape in self.model.error_shapes}

    @cached_property
    def bad_value_code(self) -> str:
        for code in _BAD_VALUE_CODES:
            if code in self.error_codes:
                return code
        return "ValidationError" if self.protocol == "query" else "ValidationException"

    @cached_property
    def malformed_code(self) -> str:
        if self.protocol == "json":
            return "SerializationException"
        if self.protocol == "rest-xml":
            return "MalformedInput"
        if self.protocol == "query":
            return "MalformedQueryString"
        return (
            "InvalidRequestContentException"
            if "InvalidRequestContentException" in self.error_codes
            else (self.bad_value_code)
        )

    def match(self, method: str, path: str, query: dict[str, str]) -> OperationModel | None:
        segment = path.split("/")[1] if path.count("/") >= 1 else ""
        for route in self.routes.get((method, segment), []):
            if route.pattern.match(path) and all(
                key in query and (value is None or query[key] == value) for key, value in route.query
            ):
                return route.operation
        return None


class Catalog:
    """The kit's services, indexed every way a request can name one (built once, lazily)."""

    def __init__(self, names: tuple[str, ...] = KIT_SERVICES) -> None:
        session = botocore.session.get_session()
        self.services = [Service(name, session.get_service_model(name)) for name in names]
        self.by_signing_name = {s.signing_name: s for s in self.services}
        self.by_target = {str(s.model.metadata["targetPrefix"]): s for s in self.services if s.protocol == "json"}

    def for_rest_path(self, path: str) -> list[Service]:
        segment = path.split("/")[1] if "/" in path else ""
        return [s for s in self.services if s.protocol.startswith("rest") and segment in s.first_segments]

    def for_action(self, action: str) -> Service | None:
        found = [s for s in self.services if s.protocol == "query" and action in s.operations]
        return found[0] if len(found) == 1 else None


@dataclass
class Diagnosis:
    """What a request is: its service (None: not one of the kit's), protocol, and what is wrong with it."""

    service: Service | None
    protocol: str
    operation: OperationModel | None = None
    error: ApiError | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def signing_name(request: HttpRequest) -> str | None:
    match = _CREDENTIAL.search(request.header("authorization") or "")
    return match.group(1) if match else None


def _form(data: bytes | str) -> list[tuple[str, str]] | None:
    """A form-encoded body or query string as pairs (``key`` alone is ``(key, "")``), or None when it is not
    one: a ``%`` not followed by two hex digits, or bytes that are not UTF-8 once decoded."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if _BAD_ESCAPE.search(text):
            return None
        pairs = []
        for piece in text.split("&"):
            if piece:
                key, _, value = piece.partition("=")
                pairs.append((_unquote(key), _unquote(value)))
        return pairs
    except UnicodeDecodeError:
        return None


def _unquote(text: str) -> str:
    return unquote(text.replace("+", " "), errors="strict")


def diagnose(catalog: Catalog, request: HttpRequest) -> Diagnosis:
    """Name the request's service and operation, and the AWS error it deserves before it reaches moto."""
    named = catalog.by_signing_name.get(signing_name(request) or "")
    target = request.header("x-amz-target")
    query = named is not None and target is None and "query" in named.protocols and _looks_like_query(request)
    if target is not None or (named is not None and named.protocol == "json" and not query):
        return _diagnose_json(catalog, named, target or "", request)
    if named is not None and (named.protocol == "query" or query):
        return _diagnose_query(named, request)
    if named is None and _looks_like_query(request):
        return _diagnose_query(None, request)
    candidates = [named] if named is not None else catalog.for_rest_path(request.path)
    if not candidates:
        return Diagnosis(None, "rest-json")
    return _diagnose_rest(candidates, request)


def _looks_like_query(request: HttpRequest) -> bool:
    content_type = (request.header("content-type") or "").lower()
    return "action=" in request.query.lower() or (
        request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded")
    )


def _diagnose_json(catalog: Catalog, named: Service | None, target: str, request: HttpRequest) -> Diagnosis:
    prefix, _, name = target.rpartition(".")
    service = named or catalog.by_target.get(prefix)
    if service is None:
        return Diagnosis(None, "json")
    diagnosis = Diagnosis(service, "json")
    expected = str(service.model.metadata.get("targetPrefix", ""))
    operation = service.operations.get(name) if prefix == expected else None
    if operation is None:
        diagnosis.error = ApiError(400, "UnknownOperationException", None)
        return diagnosis
    diagnosis.operation = operation
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        diagnosis.error = ApiError(400, "SerializationException", "The request body is not valid JSON.")
        return diagnosis
    problem = value_problem(operation.input_shape, body, "") if operation.input_shape is not None else None
    if problem is None and not isinstance(body, dict):
        problem = "the request body is not a JSON object"
    if problem:
        diagnosis.error = ApiError(400, "SerializationException", f"Could not deserialize the request: {problem}.")
    return diagnosis


def _diagnose_query(named: Service | None, request: HttpRequest) -> Diagnosis:
    pairs = _form(request.query)
    body_pairs = _form(request.body) if request.method == "POST" else []
    diagnosis = Diagnosis(named, "query")
    if pairs is None or body_pairs is None:
        diagnosis.error = ApiError(404, "MalformedQueryString", "The query string contains a syntax error.")
        return diagnosis
    params = dict(pairs + body_pairs)
    action = params.get("Action")
    if not action:
        diagnosis.error = ApiError(400, "MissingAction", "The request is missing an action or a required parameter.")
        return diagnosis
    service = named
    if service is None:
        return diagnosis  # no service has this action alone: moto decides, the bridge shapes what fails
    diagnosis.operation = service.operations.get(action)
    if diagnosis.operation is None:
        version = params.get("Version") or service.model.api_version
        diagnosis.error = ApiError(400, "InvalidAction", f"Could not find operation {action} for version {version}")
        return diagnosis
    problem = _query_problem(diagnosis.operation, params)
    if problem:
        diagnosis.error = ApiError(400, service.bad_value_code, problem)
    return diagnosis


def _query_problem(operation: OperationModel, params: dict[str, str]) -> str | None:
    shape = operation.input_shape
    if shape is None:
        return None
    for name, member in shape.members.items():
        key = member.serialization.get("name", name)
        if key in params and scalar_problem(member, params[key]):
            return (
                f"Value '{params[key]}' at '{name}' failed to satisfy constraint: Member must be a {member.type_name}"
            )
    return None


def scalar_problem(shape: Shape, text: str) -> bool:
    """Whether ``text`` (from a query string, URI or header) cannot be a value of ``shape``."""
    if shape.type_name in ("integer", "long"):
        return not re.fullmatch(r"-?\d{1,19}", text)
    if shape.type_name in ("float", "double"):
        try:
            float(text)
        except ValueError:
            return True
        return False
    if shape.type_name == "boolean":
        return text.lower() not in ("true", "false")
    return False


def _diagnose_rest(candidates: list[Service], request: HttpRequest) -> Diagnosis:
    pairs = _form(request.query)
    query = dict(pairs or [])
    for service in candidates:
        operation = service.match(request.method, request.path, query)
        if operation is not None:
            diagnosis = Diagnosis(service, service.protocol, operation)
            diagnosis.error = _rest_problem(service, operation, request, query, pairs is None)
            return diagnosis
    service = candidates[0]
    return Diagnosis(
        service,
        service.protocol,
        error=ApiError(
            404, "UnknownOperationException", f"No operation of {service.name} is {request.method} {request.path}."
        ),
    )


def _rest_problem(
    service: Service, operation: OperationModel, request: HttpRequest, query: dict[str, str], bad_query: bool
) -> ApiError | None:
    shape = operation.input_shape
    if bad_query:
        return ApiError(400, service.bad_value_code, "The query string contains a syntax error.")
    if shape is None:
        return None
    for name, member in shape.members.items():
        if member.serialization.get("location") == "querystring":
            key = member.serialization.get("name", name)
            if key in query and scalar_problem(member, query[key]):
                return ApiError(
                    400, service.bad_value_code, f"Value '{query[key]}' at '{name}' is not a {member.type_name}."
                )
    if not request.body:
        return None
    if service.protocol == "rest-xml":
        return _xml_body_problem(shape, request.body)
    return _json_body_problem(service, shape, request.body)


def _body_shape(shape: Shape) -> Shape | None:
    """The shape the body holds: the payload member, or the input with its non-body members dropped."""
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        return member if member.type_name == "structure" else None
    return shape


def _json_body_problem(service: Service, shape: Shape, body: bytes) -> ApiError | None:
    target = _body_shape(shape)
    if target is None:
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return ApiError(400, service.malformed_code, f"Could not parse request body into json: {exc}")
    problem = value_problem(target, value, "", body_only=True)
    if problem:
        return ApiError(400, service.malformed_code, f"Could not parse request body into json: {problem}")
    return None


def _xml_body_problem(shape: Shape, body: bytes) -> ApiError | None:
    """A rest-xml body must be XML whose root element is the payload's."""
    target = _body_shape(shape)
    if target is None:
        return None
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, ValueError, RecursionError):
        return ApiError(400, "MalformedInput", "The XML document is malformed.")
    payload = shape.serialization.get("payload")
    expected = (shape.members[payload] if payload else shape).serialization.get("name", payload or shape.name)
    if root.tag.rsplit("}", 1)[-1] != expected:
        return ApiError(400, "MalformedInput", f"The XML document must be a {expected}.")
    return None


def value_problem(shape: Shape, value: Any, path: str, *, body_only: bool = False, depth: int = 0) -> str | None:
    """Why ``value`` (parsed JSON) cannot be of ``shape``, or None. Unknown members are ignored."""
    if depth > _MAX_DEPTH:
        return f"{path or 'the body'} is nested too deeply"
    kind = shape.type_name
    where = path or "the body"
    if kind == "structure":
        if not isinstance(value, dict):
            return f"{where} must be an object"
        for name, member in shape.members.items():
            if body_only and member.serialization.get("location"):
                continue
            child = value.get(member.serialization.get("name", name))
            if child is not None:
                problem = value_problem(member, child, f"{path}.{name}".lstrip("."), depth=depth + 1)
                if problem:
                    return problem
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"{where} must be a list"
        for index, item in enumerate(value):
            problem = value_problem(shape.member, item, f"{where}[{index}]", depth=depth + 1)  # type: ignore[attr-defined]
            if problem:
                return problem
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return f"{where} must be an object"
        for key, item in value.items():
            problem = value_problem(shape.value, item, f"{where}.{key}", depth=depth + 1)  # type: ignore[attr-defined]
            if problem:
                return problem
        return None
    return None if _scalar_fits(kind, value) else f"{where} must be a {kind}"


def _scalar_fits(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind in ("string", "blob"):
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, int | float | str) and not isinstance(value, bool)
    return True


def error_response(service: Service | None, protocol: str, error: ApiError) -> HttpResponse:
    """``error`` in the wire shape of ``protocol``, as botocore parses it into ``ClientError``."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body: dict[str, Any] = {"__type": error.code}
        if error.message is not None:
            body["message"] = error.message
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id)]
        return HttpResponse(error.status, headers, json.dumps(body).encode())
    if protocol == "rest-json":
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", error.code),
            ("x-amzn-RequestId", request_id),
        ]
        return HttpResponse(error.status, headers, json.dumps({"Type": "User", "message": error.message}).encode())
    return HttpResponse(
        error.status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], _xml(service, error, request_id)
    )


def _xml(service: Service | None, error: ApiError, request_id: str) -> bytes:
    namespace = ""
    if service is not None:
        namespace = f' xmlns="https://{service.model.endpoint_prefix}.amazonaws.com/doc/{service.model.api_version}/"'
    message = f"<Message>{_xml_text(error.message)}</Message>" if error.message is not None else ""
    return (
        f"<ErrorResponse{namespace}><Error><Type>Sender</Type><Code>{_xml_text(error.code)}</Code>{message}</Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()


def _xml_text(text: str) -> str:
    """``text`` escaped for XML 1.0, characters XML cannot hold shown as ``?``."""
    return escape(_NOT_XML_CHARS.sub("?", text))
