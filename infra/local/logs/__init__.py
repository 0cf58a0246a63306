"""Amazon CloudWatch Logs as Lambda writes it: log groups, one stream per environment, into moto.

Emulates ``/aws/lambda/<function>`` groups and stream names. Not emulated: retention, subscriptions,
Logs Insights. Entry: ``sink.MotoLogSink``.
"""
