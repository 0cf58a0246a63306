"""A pytest plugin for moto's own test suites: install the kit's corrections of moto before any test runs."""

from __future__ import annotations

from typing import Any


def pytest_configure(config: Any) -> None:
    from infra.local.acm import moto_gaps as acm
    from infra.local.cloudfront import moto_gaps as cloudfront
    from infra.local.iam import moto_gaps as iam
    from infra.local.lambda_ import moto_gaps as lambda_

    for module in (lambda_, cloudfront, acm, iam):
        module.apply()
