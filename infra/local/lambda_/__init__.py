"""AWS Lambda: Invoke and InvokeWithResponseStream, execution environments, the Runtime API, moto's gaps.

Emulates functions running for real in one OS process per environment (cold/warm, timeouts, concurrency,
logs), versions and weighted aliases (``aliases.py``), provisioned concurrency (``provisioned.py``).
Not emulated: layers, VPCs, SnapStart. Entry: ``service.LambdaService``.
"""
