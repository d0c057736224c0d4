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


class PasswordStamps(Protocol):
    """A keyed, one-way stamp of a user's password hash. A session keeps the stamp of the
    password it began with, so a new password ends every session begun before it."""

    def stamp(self, password_hash: str | None) -> str: ...
