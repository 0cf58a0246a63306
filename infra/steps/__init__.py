"""The deploy steps the notebooks call, one module per service: idempotent, clients passed in.

``lambda_`` (functions, roles, URLs, permissions; a notebook imports it as ``infra.deploy``), ``cloudfront``,
``certificates``, ``dns``, and ``teardown`` (``python -m infra.steps.teardown``).
"""
