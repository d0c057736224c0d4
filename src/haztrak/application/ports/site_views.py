"""Sites with their handler details, read together (the user's sites list, issue 16)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import Site


class SiteHandlerReader(Protocol):
    async def sites_with_handlers(
        self, epa_ids: Sequence[str]
    ) -> list[tuple[Site, RcraSite | None]]:
        """The sites with these EPA IDs, by EPA ID, each with RCRAInfo's details of its
        handler when they are kept; one read, whatever the number of sites."""
