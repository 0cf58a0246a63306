"""IAM and STS as the data plane checks them: SigV4 verification, who signed, and policy evaluation.

Emulates SigV4 (header and presigned), access keys of moto's IAM users and STS sessions, identity and
resource policies. Not emulated: SCPs, permission boundaries, session policies. Entry: ``sigv4.verify``.
"""
