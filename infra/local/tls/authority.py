"""The learner's local certificate authority: one per state folder, made once, never leaving it.

Real viewers trust Amazon's roots; locally the kit's clients (``kit.http()``, ``curl --cacert``, a browser
the learner tells) trust this authority instead, and every certificate the local cloud presents is signed
by it. Its key is ``<state>/tls/local-ca-key.pem`` (``0600`` in a ``0700`` folder); its certificate,
``local-ca.pem``, is what a client is given to trust. Keys and certificates are made with ``cryptography``
(pyca, the library under moto's own ACM and most of Python's TLS tooling), never by hand.

Choices (no source states them): the authority's key is ECDSA P-256 (fast to sign with; Amazon's roots
include ECC ones), it is valid for ten years from its creation, and it is constrained to sign only leaf
certificates (``pathLenConstraint`` 0).
"""

from __future__ import annotations

import datetime
import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..iam.credentials import private_folder

CA_CERT = "local-ca.pem"
CA_KEY = "local-ca-key.pem"
_YEARS = 10


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class IssuedCertificate:
    """A leaf certificate and its private key, both PEM, and the chain up to (and including) the authority."""

    certificate_pem: bytes
    private_key_pem: bytes
    chain_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)


def new_key(key_algorithm: str = "RSA_2048") -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """A private key of ACM's ``KeyAlgorithm`` (``RSA_2048`` is ACM's default; ``EC_prime256v1``, ``EC_secp384r1``)."""
    if key_algorithm == "EC_prime256v1":
        return ec.generate_private_key(ec.SECP256R1())
    if key_algorithm == "EC_secp384r1":
        return ec.generate_private_key(ec.SECP384R1())
    bits = {"RSA_1024": 1024, "RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}.get(key_algorithm, 2048)
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    """Key Usage with ``digitalSignature`` and the uses named in ``allowed``."""
    uses = ("content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign")
    return x509.KeyUsage(
        digital_signature=True,
        **{use: allowed.get(use, False) for use in uses},
        encipher_only=False,
        decipher_only=False,
    )


def _pem_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class LocalCertificateAuthority:
    """Signs the local cloud's server certificates; ``load_or_create(folder)`` keeps it in ``folder``."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, folder: Path) -> None:
        self._key = key
        self.certificate = certificate
        self.folder = folder

    @property
    def certificate_path(self) -> Path:
        """The file a client trusts (``curl --cacert``, ``SSL_CERT_FILE``, a browser's authorities)."""
        return self.folder / CA_CERT

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @classmethod
    def load_or_create(cls, folder: Path) -> LocalCertificateAuthority:
        private_folder(folder)
        cert_path, key_path = folder / CA_CERT, folder / CA_KEY
        try:
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
            if isinstance(key, ec.EllipticCurvePrivateKey) and certificate.not_valid_after_utc > _utcnow():
                return cls(key, certificate, folder)
        except (OSError, ValueError):
            pass
        return cls._create(folder)

    @classmethod
    def _create(cls, folder: Path) -> LocalCertificateAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = str(os.getuid()) if hasattr(os, "getuid") else "learner"
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lambda-url-kit"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"local cloud of {user}"),
                x509.NameAttribute(NameOID.COMMON_NAME, "lambda-url-kit local CA"),
            ]
        )
        now = _utcnow()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365 * _YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        key_path = folder / CA_KEY
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(_pem_key(key))
        if os.name == "posix":
            os.chmod(key_path, 0o600)
        (folder / CA_CERT).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        return cls(key, certificate, folder)

    def issue(
        self,
        names: list[str],
        *,
        not_before: datetime.datetime,
        not_after: datetime.datetime,
        key_algorithm: str = "RSA_2048",
    ) -> IssuedCertificate:
        """A server certificate for exactly ``names`` (the first is the subject's CN; all are SANs, in order),
        shaped as ACM's are (``acm/issuance.py``): Key Usage digital signature (and key encipherment for RSA),
        the server-authentication EKU only."""
        if not names:
            raise ValueError("a certificate needs at least one domain name")
        key = new_key(key_algorithm)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dict.fromkeys(names)]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(_key_usage(key_encipherment=isinstance(key, rsa.RSAPrivateKey)), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
        )
        certificate = builder.sign(self._key, hashes.SHA256())
        return IssuedCertificate(
            certificate.public_bytes(serialization.Encoding.PEM), _pem_key(key), self.certificate_pem
        )
