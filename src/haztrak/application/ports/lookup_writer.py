"""Writing reference data refreshed from RCRAInfo (the reading side is ports.lookups)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from haztrak.domain.manifest import CodeDescription


class LookupWriter(Protocol):
    """Adds codes and corrects descriptions; never deletes (a code RCRAInfo stops listing may
    still be on old manifests). Each method returns how many rows it added or changed."""

    async def upsert_federal_waste_codes(self, codes: Sequence[CodeDescription]) -> int: ...

    async def upsert_state_waste_codes(
        self, state: str, codes: Sequence[CodeDescription]
    ) -> int: ...
