"""Errors the domain raises. The HTTP layer maps each kind to a status in one table."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an operation."""


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""


class Conflict(DomainError):
    """The operation clashes with the current state (a duplicate, a stale version)."""


class InvalidValue(DomainError):
    """One field has a value the rules do not allow."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
