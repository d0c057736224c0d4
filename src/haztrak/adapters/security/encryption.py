"""Encryption of secrets at rest (RCRAInfo API keys): Fernet with a key derived by HKDF."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from haztrak.domain.errors import DomainError
from haztrak.domain.secrets import Secret


class UndecryptableSecret(DomainError):
    """A stored secret cannot be decrypted: the secret key changed since it was written."""


def derive_key(secret_key: Secret, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.reveal().encode()
    )


class FernetSecretBox:
    def __init__(self, secret_key: Secret) -> None:
        key = derive_key(secret_key, b"haztrak/rcrainfo-api-keys/v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def __repr__(self) -> str:
        return "FernetSecretBox()"

    def encrypt(self, secret: Secret) -> bytes:
        return self._fernet.encrypt(secret.reveal().encode())

    def decrypt(self, ciphertext: bytes) -> Secret:
        try:
            return Secret(self._fernet.decrypt(ciphertext).decode())
        except InvalidToken as exc:
            raise UndecryptableSecret("a stored secret cannot be decrypted") from exc


class HmacPasswordStamps:
    def __init__(self, secret_key: Secret) -> None:
        self._key = derive_key(secret_key, b"haztrak/admin-session-auth/v1")

    def __repr__(self) -> str:
        return "HmacPasswordStamps()"

    def stamp(self, password_hash: str | None) -> str:
        return hmac.new(self._key, (password_hash or "").encode(), hashlib.sha256).hexdigest()
