"""The event-recording decorator remembers only the last manifests it read (issue 16: a site
sync of 10,000 manifests in one unit of work keeps its memory flat), and an update of one it
no longer remembers reads it again, so its events still know what changed."""

from __future__ import annotations

import uuid

import msgspec

from haztrak.application.events.recording import READ_KEPT, EventRecordingManifests
from haztrak.application.ports.manifests import StoredManifest
from haztrak.domain.manifest import Status
from tests.fakes_events import MemoryEventOutbox
from tests.fakes_manifests import MemoryManifestRepository
from tests.manifest_documents import a_manifest
from tests.unit.application.task_world import World
from tests.unit.application.test_event_recording import CountingReads


async def test_the_decorator_keeps_a_bounded_number_of_manifests_read() -> None:
    inner = CountingReads(MemoryManifestRepository())
    outbox = MemoryEventOutbox()
    manifests = EventRecordingManifests(inner, outbox)  # type: ignore[arg-type]
    now = World().clock.now()
    added = []
    for n in range(READ_KEPT * 3):
        stored = StoredManifest(
            id=uuid.uuid4(),
            manifest=a_manifest(mtn=f"{300_000_000 + n:09d}ELC", status="Scheduled"),
            version=1,
            created_at=now,
            updated_at=now,
        )
        await manifests.add(stored)
        added.append(stored)
    assert len(manifests._read) == READ_KEPT
    first = added[0]
    under = msgspec.structs.replace(first.manifest, status=Status.UNDER_CORRECTION)
    reads, inserts = inner.reads, outbox.inserts
    await manifests.update(msgspec.structs.replace(first, manifest=under), expected_version=1)
    assert inner.reads == reads + 1  # forgotten, so read again
    assert len(manifests._read) == READ_KEPT
    assert outbox.inserts == inserts + 1  # the update's events are recorded
