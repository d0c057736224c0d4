"""Ports for password hashing, encryption of stored secrets, and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from haztrak.domain.secrets import Secret


class PasswordHasher(Protocol):
    def hash(self, password: Secret) -> str: ...

    def verify(self, password_hash: str, password: Secret) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class SecretBox(Protocol):
    """Encrypts secrets kept at rest (RCRAInfo API keys) with a key derived from settings."""

    def encrypt(self, secret: Secret) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> Secret: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
