"""AWS Lambda: Invoke and InvokeWithResponseStream, execution environments, the Runtime API, moto's gaps.

Emulates functions running for real in one OS process per environment (cold/warm, timeouts, concurrency,
logs). Not emulated: layers, VPCs, SnapStart, provisioned concurrency. Entry: ``service.LambdaService``.
"""
