"""argon2id password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from haztrak.domain.secrets import Secret


class Argon2PasswordHasher:
    """argon2id at OWASP's second recommended setting (19 MiB, 2 passes, 1 lane): a login
    costs a worker 19 MiB instead of 64, and old hashes are upgraded at the next login."""

    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19456) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)

    def hash(self, password: Secret) -> str:
        return self._hasher.hash(password.reveal())

    def verify(self, password_hash: str, password: Secret) -> bool:
        try:
            return self._hasher.verify(password_hash, password.reveal())
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
