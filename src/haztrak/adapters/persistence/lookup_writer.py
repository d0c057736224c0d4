"""Writing waste codes refreshed from RCRAInfo into the lookup tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from haztrak.adapters.persistence.tables import FederalWasteCodeRow, StateWasteCodeRow
from haztrak.domain.manifest import CodeDescription


class SqlLookupWriter:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert_federal_waste_codes(self, codes: Sequence[CodeDescription]) -> int:
        rows = await self._session.execute(
            select(FederalWasteCodeRow.code, FederalWasteCodeRow.description)
        )
        present = dict(rows.tuples().all())
        changed = 0
        for item in _described(codes):
            if item.code not in present:
                await self._session.execute(
                    insert(FederalWasteCodeRow).values(code=item.code, description=item.description)
                )
            elif present[item.code] != item.description:
                await self._session.execute(
                    update(FederalWasteCodeRow)
                    .where(FederalWasteCodeRow.code == item.code)
                    .values(description=item.description)
                )
            else:
                continue
            changed += 1
        return changed

    async def upsert_state_waste_codes(self, state: str, codes: Sequence[CodeDescription]) -> int:
        rows = await self._session.execute(
            select(StateWasteCodeRow.code, StateWasteCodeRow.description).where(
                StateWasteCodeRow.state == state
            )
        )
        present = dict(rows.tuples().all())
        changed = 0
        for item in _described(codes):
            if item.code not in present:
                await self._session.execute(
                    insert(StateWasteCodeRow).values(
                        state=state, code=item.code, description=item.description
                    )
                )
            elif present[item.code] != item.description:
                await self._session.execute(
                    update(StateWasteCodeRow)
                    .where(StateWasteCodeRow.state == state, StateWasteCodeRow.code == item.code)
                    .values(description=item.description)
                )
            else:
                continue
            changed += 1
        return changed


def _described(codes: Sequence[CodeDescription]) -> list[CodeDescription]:
    """One entry per code (the last wins), each with a description."""
    by_code = {c.code.strip(): c for c in codes if c.code.strip()}
    return [
        CodeDescription(code=code, description=(c.description or "").strip())
        for code, c in sorted(by_code.items())
    ]
