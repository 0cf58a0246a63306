"""The package the notebooks import: mode, clients, packaging, deploy steps, HTTP client, widgets.

``infra/local/`` is the local cloud; ``infra/steps/`` the deploy steps. A notebook reads the steps by what
they deploy (``from infra import deploy, cloudfront, certificates, dns, teardown``): ``deploy`` is
``infra.steps.lambda_``, the Lambda steps every notebook starts with.
"""

from .kit import Kit, connect
from .settings import Settings
from .steps import certificates, cloudfront, dns, teardown
from .steps import lambda_ as deploy

__all__ = ["Kit", "Settings", "certificates", "cloudfront", "connect", "deploy", "dns", "teardown"]
