"""`haztrak sandbox --seed-manifests N --site ID` (issue 16): N manifests of one generator in
one write, with numbers of their own from the counter, kept across a restart, and found by the
site's manifest search as a sync asks for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from haztrak.domain.manifest.datetimes import format_epa_datetime
from haztrak.entrypoints.sandbox import SandboxSettings, SandboxState
from haztrak.entrypoints.sandbox.bulk import BulkSeedRefused, seed_site_manifests
from haztrak.entrypoints.sandbox.manifests import search
from tests.integration.sandbox.test_seed_cli_server import sandbox_parser

SITE = "VATESTGEN001"


def test_bulk_manifests_take_new_numbers_and_outlive_a_restart(tmp_path: Path) -> None:
    settings = SandboxSettings(state_file=tmp_path / "state.sqlite3")
    with SandboxState(settings) as state:
        before = set(state.manifests)
        seeded = seed_site_manifests(state, SITE, 120)
        assert len(set(seeded)) == 120
        assert not set(seeded) & before
        assert state.next_serial > max(int(mtn[:9]) for mtn in seeded)
        found = search(state, state.users["testuser1"], {"siteId": SITE})
        assert set(seeded) <= set(found)
        statuses = {state.manifests[mtn]["status"] for mtn in seeded}
        assert {"Signed", "InTransit", "Scheduled", "Pending"} <= statuses
        assert all(state.manifests[mtn]["updatedDate"] < _epa(state) for mtn in seeded)
    with SandboxState(settings) as again:
        assert set(seeded) <= set(again.manifests)
        assert again.allocate_tracking_number() not in again.manifests


def _epa(state: SandboxState) -> str:
    return format_epa_datetime(state.now())


def test_only_a_generator_site_and_a_sane_count_are_seeded() -> None:
    with SandboxState(SandboxSettings(state_file=None)) as state:
        with pytest.raises(BulkSeedRefused, match="not a generator"):
            seed_site_manifests(state, "MOCKTSDFS001", 10)
        with pytest.raises(BulkSeedRefused, match="number of manifests"):
            seed_site_manifests(state, SITE, -1)
        assert seed_site_manifests(state, SITE, 0) == []


def test_the_cli_takes_the_count_and_the_site() -> None:
    args = sandbox_parser().parse_args(["sandbox", "--seed-manifests", "5", "--site", SITE])
    assert (args.seed_manifests, args.site) == (5, SITE)
