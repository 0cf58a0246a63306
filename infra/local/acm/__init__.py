"""AWS Certificate Manager: moto's ACM corrected so a certificate is issued only when DNS validates it.

Emulates per-domain validation CNAMEs, ISSUED on the record in Route 53, ``InUseBy``. Not emulated: email
validation, imported certificates, renewal. Entry: ``moto_gaps.apply``.
"""
