"""Reference data: federal and state waste codes, DOT hazardous-materials values."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from haztrak.domain.manifest import CodeDescription


class DotLookup(StrEnum):
    ID = "id"
    """Identification numbers (UN1088, NA1993)."""
    NAME = "name"
    """Proper shipping names."""
    CLASS = "class"
    """Hazard classes and divisions (3, 5.1)."""
    GROUP = "group"
    """Packing groups (I, II, III)."""


class LookupReader(Protocol):
    """Whole lists, in a stable order; callers filter them."""

    async def federal_waste_codes(self) -> Sequence[CodeDescription]: ...

    async def state_waste_codes(self, state: str) -> Sequence[CodeDescription]:
        """The codes of one state (two capital letters); empty for a state without any."""

    async def dot_values(self, kind: DotLookup) -> Sequence[str]: ...
