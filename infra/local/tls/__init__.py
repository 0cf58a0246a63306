"""The viewer side of TLS in the local cloud: a local certificate authority, the certificates ACM issues and
AWS's endpoints present, CloudFront's security policies, and the choice of certificate by SNI.

The socket side (a TLS listener that reads the ClientHello's server name before the handshake) is
``http/tls_listener.py``; this package says which certificate and which protocol versions answer a name.
"""
