"""A site sync cut off by a killed worker resumes from its last batch (issue 16): the sandbox
holds 300 more manifests of VATESTGEN001, the worker is SIGKILLed once a batch is committed,
and the next worker reads from RCRAInfo only what the first had not committed, never searches
again, and every manifest of the site ends up stored here once (version 1: none stored twice,
none overwritten). The same run as `just bench-sync`, at a size CI affords."""

from __future__ import annotations

from pathlib import Path

import redis

from haztrak.application.rcrainfo.manifests import SYNC_BATCH
from tests.bench.sync_scale import MAX_RSS_MIB, sync_at_scale
from tests.conftest import PostgresDatabases
from tests.e2e.test_background_e2e import _free_port

MANIFESTS = 300


async def test_a_sync_cut_off_by_a_killed_worker_resumes_from_its_last_batch(
    tmp_path: Path, postgres_databases: PostgresDatabases, redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    report = await sync_at_scale(
        MANIFESTS,
        tmp_path,
        database_url=postgres_databases.create(),
        redis_url=redis_url,
        ports=(_free_port(), _free_port(), _free_port()),
        kill_after=SYNC_BATCH,
        latency_ms=10,  # a sync long enough to be cut off after its first batch
    )
    task = report["task"]
    assert task["status"] == "SUCCESS", task
    assert task["attempts"] >= 2, task
    window = report["siteManifestsInRcrainfo"]
    assert window >= MANIFESTS
    assert task["result"]["manifests"] == window
    # every manifest of the site is here, each stored once
    assert (report["stored"], report["missing"], report["storedTwice"]) == (window, 0, [])
    done_at_kill = report["killedAtDone"]
    assert SYNC_BATCH <= done_at_kill < window, report
    after = report["rcrainfoCallsAfterKill"]
    # the second worker reads only what was not committed: no search, no manifest again
    assert "search_manifests" not in after, after
    assert after["get_manifest"] == window - done_at_kill, report
    assert report["rcrainfoCalls"]["get_manifest"] < window + done_at_kill  # a restart's cost
    assert max(report["peakRssMiB"].values()) < MAX_RSS_MIB, report
