"""Many manifests for one site at once, for syncs at scale (`haztrak sandbox --seed-manifests`).

The manifests are built the way the seed builds its history (electronic ones, in every status a
sync meets, signed by the seed's users) and stored in one transaction: seeding 10,000 takes
seconds, not the hours 10,000 saves through the API would. They take numbers from the
sandbox's counter, so they never reuse a number, and their dates lie before the sandbox's
clock, spread over the weeks before it, one manifest a minute, so a sync's date window finds
them all.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from haztrak.domain.handlers import SiteType
from haztrak.entrypoints.sandbox.seed import _History
from haztrak.entrypoints.sandbox.state import SandboxState

MAX_SEEDED = 1_000_000
_KINDS = (
    "Signed", "Signed", "Signed", "Signed", "ReadyForSignature", "InTransit",
    "ScheduledGeneratorSigned", "Scheduled", "HybridScheduled", "Pending",
)  # fmt: skip
"""The mix of statuses: mostly history, some work in progress; no paper (no attachments)."""


class BulkSeedRefused(ValueError):
    """The site or the count cannot be seeded."""


def seed_site_manifests(state: SandboxState, site_id: str, count: int) -> list[str]:
    """Store `count` new manifests whose generator is `site_id`; their tracking numbers."""
    if not 0 <= count <= MAX_SEEDED:
        raise BulkSeedRefused(f"the number of manifests must be 0-{MAX_SEEDED}")
    record = state.site(site_id)
    if record is None or record.site_type is not SiteType.GENERATOR:
        raise BulkSeedRefused(f"{site_id} is not a generator site of the sandbox")
    if count == 0:
        return []
    history = _History(state.sites, state.users)
    with state.lock:
        history.serial = state.next_serial
        # the latest a minute before now: a seeded manifest's last signature is up to about
        # ten days after it was created, and updatedDate never lies in the future
        last = state.now() - timedelta(days=12)
        for index, kind in zip(range(count), itertools.cycle(_KINDS), strict=False):
            created = last - timedelta(minutes=count - index)
            history.manifest(kind, created, site_id)
        state.put_manifests(history.manifests, next_serial=history.serial)
    return list(history.manifests)
