"""The AWS API, answered by moto in-process: a request goes through moto's own WSGI application.

Bad input gets AWS's 4xx, never a 500 and never silence (``aws_protocols.py`` says which error and why):
a request for one of the kit's services is first read against botocore's model of that service; an unknown
operation or a malformed body is answered there, in the protocol's error shape, without moto. A request moto
answers with a status below 500 passes through untouched, except a 4xx whose body botocore cannot read an
error code from, which is re-shaped. Whatever moto raises, or any 5xx it returns, for a request well-formed
enough to reach it becomes a 400 of the service's "bad value" error; the traceback goes to the local cloud's
log (stderr, logger ``infra.local.moto``) so a maintainer can find moto's bug.

Not emulated: AWS's 5xx errors (``InternalFailure``, ``ServiceUnavailable``): the local cloud never sends them
for the AWS API.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import botocore.parsers
from botocore.awsrequest import HeadersDict
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .aws_protocols import ApiError, Catalog, Diagnosis, Service, diagnose, error_response
from .http.types import HttpRequest, HttpResponse
from .lambda_.moto_lambda import control_plane_changed

log = logging.getLogger("infra.local.moto")

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class MotoBridge:
    def __init__(self) -> None:
        # AWS managed policies (AWSLambdaBasicExecutionRole, ...) exist in every account.
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from .acm import moto_gaps as moto_acm_gaps
        from .cloudfront import moto_gaps as moto_cloudfront_gaps
        from .cloudwatch import moto_gaps as moto_cloudwatch_gaps
        from .iam import moto_gaps as moto_sts_gaps
        from .lambda_ import aliases, moto_gaps, provisioned

        moto_gaps.apply()
        aliases.apply()  # after moto_gaps: versions and aliases
        provisioned.apply()  # provisioned concurrency configs
        moto_cloudfront_gaps.apply()
        moto_acm_gaps.apply()
        moto_cloudwatch_gaps.apply()
        moto_sts_gaps.apply()
        self._app: Any = DomainDispatcherApplication(create_backend_app)
        self._catalog = Catalog()

    def protocol_of(self, request: HttpRequest) -> tuple[Service | None, str]:
        """The service a request is for (None: not one of the kit's) and its wire protocol."""
        diagnosis = diagnose(self._catalog, request)
        return diagnosis.service, diagnosis.protocol

    def diagnose(self, request: HttpRequest) -> Diagnosis:
        """What the request is: its service, protocol and operation (and what is wrong with it)."""
        return diagnose(self._catalog, request)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one AWS API request as AWS would; never raises, never a 5xx."""
        try:
            return self._handle(request)
        finally:
            if request.method not in ("GET", "HEAD"):
                control_plane_changed()  # what the data plane remembers of moto is read again

    def _handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/moto-api"):
            return self._call_moto(request)
        diagnosis = diagnose(self._catalog, request)
        if diagnosis.error is not None:
            return error_response(diagnosis.service, diagnosis.protocol, diagnosis.error)
        try:
            response = self._call_moto(request)
        except Exception:
            log.exception(
                "moto raised on %s %s (%s): answered 400", request.method, request.path, _operation(diagnosis)
            )
            return self._moto_failed(diagnosis)
        if response.status >= 500:
            log.error(
                "moto answered %s on %s %s (%s): answered 400; body: %r",
                response.status,
                request.method,
                request.path,
                _operation(diagnosis),
                response.body[:2000],
            )
            return self._moto_failed(diagnosis)
        if response.status >= 400 and diagnosis.service is not None and not _has_error_code(diagnosis, response):
            return error_response(diagnosis.service, diagnosis.protocol, _reshaped(diagnosis, response))
        return response

    def _moto_failed(self, diagnosis: Diagnosis) -> HttpResponse:
        code = diagnosis.service.bad_value_code if diagnosis.service is not None else "ValidationException"
        message = "The local cloud could not process this request; the traceback is in the local cloud's log."
        return error_response(diagnosis.service, diagnosis.protocol, ApiError(400, code, message))

    def _call_moto(self, request: HttpRequest) -> HttpResponse:
        headers = [(k, v) for k, v in request.headers if k.lower() not in ("content-length", "transfer-encoding")]
        builder = EnvironBuilder(
            path=request.path,
            method=request.method,
            headers=headers,
            data=request.body,
            query_string=request.query,
            environ_base={"REMOTE_ADDR": request.source_ip},
        )
        environ = builder.get_environ()
        app_iter, status, response_headers = run_wsgi_app(self._app, environ, buffered=True)
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        out = [(k, v) for k, v in response_headers.items() if k.lower() not in _HOP_BY_HOP]
        return HttpResponse(int(status.split()[0]), out, body)


def _operation(diagnosis: Diagnosis) -> str:
    service = diagnosis.service.name if diagnosis.service is not None else "unknown service"
    operation = diagnosis.operation.name if diagnosis.operation is not None else "unknown operation"
    return f"{service} {operation}"


def _has_error_code(diagnosis: Diagnosis, response: HttpResponse) -> bool:
    """Whether botocore's parser for the protocol reads an error code (not just the status) from ``response``."""
    parser = botocore.parsers.create_parser(diagnosis.protocol)
    headers = HeadersDict(response.headers)
    try:
        parsed = parser.parse({"status_code": response.status, "headers": headers, "body": response.body}, None)
    except Exception:
        return False
    code = str(parsed.get("Error", {}).get("Code") or "")
    return bool(code) and code != str(response.status)


def _reshaped(diagnosis: Diagnosis, response: HttpResponse) -> ApiError:
    """moto's 4xx without a readable code: 404 is an operation moto lacks, anything else a bad value."""
    text = response.body[:500].decode("utf-8", "replace").strip() or None
    if response.status == 404 or diagnosis.service is None:
        return ApiError(response.status, "UnknownOperationException", text)
    return ApiError(response.status, diagnosis.service.bad_value_code, text)
