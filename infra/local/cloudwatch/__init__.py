"""Amazon CloudWatch metrics that CloudFront and API Gateway publish, written into moto's CloudWatch backend.

Emulates the default metrics of a distribution (``AWS/CloudFront``, in us-east-1) and of a REST API stage
(``AWS/ApiGateway``, in the API's region) as one-minute statistic sets, readable at once with
``GetMetricStatistics``, ``GetMetricData`` and ``ListMetrics``; moto's dimension matching corrected.
Not emulated: CloudFront's additional metrics and function metrics, API Gateway's detailed (per-method)
metrics and cache metrics, the delay of a minute or more before AWS shows a datapoint, metric expiry.
Entry: ``service_metrics.CloudFrontMetrics``, ``service_metrics.ApiGatewayMetrics``.
"""
