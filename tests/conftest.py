"""Fixtures that drive a real local cloud (integration and browser tests).

The session's own local cloud is set up by the ``tests.kit_session`` plugin (see pyproject's addopts).
"""

pytest_plugins = ["tests.local_cloud"]
