"""The sandbox's self-signed certificate.

The `emanifest` client keeps a base URL only if it contains "https"; any other string silently
becomes EPA's preprod URL. So the sandbox always serves HTTPS, with a certificate it generates
on first start (CN 127.0.0.1; SAN 127.0.0.1, ::1 and localhost) and reuses afterwards. Clients
trust it by pointing `verify` at `cert_path` (`client.verify = str(cert_path)`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if sys.platform != "win32":
    import fcntl

CERT_FILE = "sandbox-cert.pem"
KEY_FILE = "sandbox-key.pem"
VALIDITY = timedelta(days=825)
RENEW_BEFORE = timedelta(days=7)
HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


class Certificate(msgspec.Struct, frozen=True):
    cert_path: Path
    key_path: Path


def ensure_certificate(directory: Path, now: datetime | None = None) -> Certificate:
    """The certificate in `directory`, generated if missing, unusable or about to expire."""
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    certificate = Certificate(directory / CERT_FILE, directory / KEY_FILE)
    with _exclusive(directory / ".certificate.lock"):
        if not _usable(certificate, now):
            _generate(certificate, now)
    return certificate


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One process at a time writes the pair, so a cert never meets another process's key."""
    with lock_path.open("a") as handle:
        if sys.platform != "win32":
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


def _usable(certificate: Certificate, now: datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(certificate.cert_path.read_bytes())
        key = serialization.load_pem_private_key(certificate.key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    if cert.not_valid_after_utc - RENEW_BEFORE < now or cert.not_valid_before_utc > now:
        return False
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    dns = set(names.get_values_for_type(x509.DNSName))
    ips = {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    same_key = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return same_key and set(HOSTS) <= dns and {"127.0.0.1"} <= ips


def _generate(certificate: Certificate, now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Haztrak e-Manifest sandbox"),
        ]
    )
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(host) for host in HOSTS]
                + [x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES]
            ),
            critical=False,
        )
        # Self-signed and used as its own trust anchor, so it is marked as a CA.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(certificate.key_path, key_pem, mode=0o600)
    _write(certificate.cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _write(target: Path, data: bytes, mode: int) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
