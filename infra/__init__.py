"""The package the notebooks import: mode, clients, packaging, deploy steps, HTTP client, widgets.

``infra/local/`` is the local cloud.
"""

from .kit import Kit, connect
from .settings import Settings

__all__ = ["Kit", "Settings", "connect"]
