"""Amazon API Gateway REST APIs with a Lambda proxy integration, for the 29-second comparison.

Emulates deployed stages, the 1.0 proxy event and the integration timeout. Not emulated: HTTP APIs,
authorizers, usage plans, response streaming. Entry: ``rest.RestApiGateway``.
"""
