"""Amazon Route 53 as a resolver: names resolve through the hosted zones moto holds, or not at all.

Emulates alias records to CloudFront and CNAME chains. Not emulated: routing policies, health checks,
private zones. Entry: ``dns.resolve``.
"""
