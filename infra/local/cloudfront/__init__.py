"""Amazon CloudFront: the local edge in front of Function URLs, and moto's CloudFront corrected.

Emulates distributions, cache behaviours, managed policies with a real cache, OAC signing, timeouts and
CloudFront's error pages, ``ViewerProtocolPolicy`` (``viewer_protocol.py``; the viewer certificates and security
policies are ``infra/local/tls/``). Not emulated: edge functions, WAF, invalidations. Entry: ``edge.CloudFrontEdge``.
"""
