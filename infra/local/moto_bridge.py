"""The AWS API, answered by moto in-process: a request goes through moto's own WSGI application."""

from __future__ import annotations

import os
from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

from .http.types import HttpRequest, HttpResponse

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class MotoBridge:
    def __init__(self) -> None:
        # AWS managed policies (AWSLambdaBasicExecutionRole, ...) exist in every account.
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from .acm import moto_gaps as moto_acm_gaps
        from .cloudfront import moto_gaps as moto_cloudfront_gaps
        from .lambda_ import moto_gaps

        moto_gaps.apply()
        moto_cloudfront_gaps.apply()
        moto_acm_gaps.apply()
        self._app: Any = DomainDispatcherApplication(create_backend_app)

    def handle(self, request: HttpRequest) -> HttpResponse:
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
