"""Errors of the manifest use cases (the domain's own are in haztrak.domain.manifest)."""

from __future__ import annotations

from haztrak.domain.errors import Conflict


class PreconditionFailed(Conflict):
    """The manifest is no longer at the version the caller read (HTTP If-Match); nothing
    was changed."""
