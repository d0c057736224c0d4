"""RCRAInfo's code lists, refreshed by a task the scheduler starts once a day."""

from __future__ import annotations

from typing import Any

import msgspec

from haztrak.application.ports.cache import Cache
from haztrak.application.ports.lookup_writer import LookupWriter
from haztrak.application.ports.rcrainfo import Lookup, Rcrainfo
from haztrak.application.ports.tasks import SyncTargets
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.tasks.run import TaskRun

LOOKUP_TTL = 2 * 24 * 3600
_encoder = msgspec.json.Encoder()


def lookup_key(name: str) -> str:
    return f"rcrainfo:lookup:{name}"


class RefreshLookups:
    """Federal waste codes, and the state codes of every state with a site here, go to the
    lookup tables the API reads; every list fetched is also cached (two days) for readers
    that want RCRAInfo's current list. Resumes after a failure with the lists not done yet."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        targets: SyncTargets,
        writer: LookupWriter,
        cache: Cache,
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._targets = targets
        self._writer = writer
        self._cache = cache

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        credentials = await self._accounts.for_site(run.payload["siteId"])
        counts: dict[str, int] = dict(run.state.get("counts", {}))
        changed = int(run.state.get("changed", 0))
        for lookup in Lookup:
            if lookup.value in counts:
                continue
            codes = await self._rcrainfo.lookup(credentials, lookup)
            if lookup is Lookup.FEDERAL_WASTE_CODES:
                changed += await self._writer.upsert_federal_waste_codes(codes)
            await self._cache.set(lookup_key(lookup.value), _encoder.encode(codes), LOOKUP_TTL)
            counts[lookup.value] = len(codes)
            await run.checkpoint(counts=counts, changed=changed, progress={"lists": len(counts)})
        states = sorted({site.epa_id[:2] for site in await self._targets.sites_to_sync()})
        for state in states:
            name = f"state-waste-codes/{state}"
            if name in counts:
                continue
            codes = await self._rcrainfo.state_waste_codes(credentials, state)
            changed += await self._writer.upsert_state_waste_codes(state, codes)
            await self._cache.set(lookup_key(name), _encoder.encode(codes), LOOKUP_TTL)
            counts[name] = len(codes)
            await run.checkpoint(counts=counts, changed=changed, progress={"lists": len(counts)})
        return {"lists": counts, "changedRows": changed}
