"""Encryption of webhook endpoint secrets at rest: the cipher of the RCRAInfo API keys
(Fernet, key derived by HKDF from the secret key) with a key of its own purpose."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet

from haztrak.adapters.security.encryption import FernetSecretBox, derive_key
from haztrak.domain.secrets import Secret


class FernetWebhookSecretBox(FernetSecretBox):
    def __init__(self, secret_key: Secret) -> None:
        key = derive_key(secret_key, b"haztrak/webhook-secrets/v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def __repr__(self) -> str:
        return "FernetWebhookSecretBox()"
