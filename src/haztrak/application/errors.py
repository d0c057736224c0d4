"""Errors of the application layer (the domain's own are in haztrak.domain.errors)."""

from __future__ import annotations

from haztrak.domain.errors import DomainError


class AuthenticationFailed(DomainError):
    """Wrong username or password, an inactive user, or a bad token. Says no more than that."""


class ServiceUnavailable(DomainError):
    """A service Haztrak needs for this (the cache, the database) does not answer now."""


class RateLimited(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; try again in {retry_after} seconds")
        self.retry_after = retry_after
