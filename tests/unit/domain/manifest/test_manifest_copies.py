"""Which copy of a manifest from RCRAInfo may replace the one kept here (issue 11, section 1)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from tests.manifest_documents import a_manifest

from haztrak.domain.errors import Conflict
from haztrak.domain.manifest import CorrectionInfo, Manifest
from haztrak.domain.manifest.copies import ManifestClash, replacement_refusal

MTN = "100000001ELC"
CREATED = "2026-06-01T12:00:00.000+0000"
UPDATED = "2026-06-02T12:00:00.000+0000"


def _copy(**changes: Any) -> Manifest:
    base = a_manifest(mtn=MTN, status="Scheduled")
    values: dict[str, Any] = {"created_date": CREATED, "updated_date": UPDATED, **changes}
    return msgspec.structs.replace(base, **values)


@pytest.mark.parametrize(
    "incoming",
    [
        _copy(),
        _copy(updated_date="2026-06-03T00:00:00.000+0000", status=None),
        _copy(updated_date="2026-06-02T14:00:00+02:00"),  # the same instant, written otherwise
        _copy(created_date=None, updated_date=None),  # nothing to go by: RCRAInfo's word
        _copy(updated_date="not a date"),
        _copy(correction_info=CorrectionInfo(version_number=2)),
    ],
)
def test_the_same_manifest_at_the_same_or_a_later_version_may_replace_it(
    incoming: Manifest,
) -> None:
    assert replacement_refusal(_copy(), incoming) is None


def test_a_manifest_created_at_another_time_is_another_manifest() -> None:
    reason = replacement_refusal(_copy(), _copy(created_date="2026-07-01T00:00:00.000+0000"))
    assert reason is not None
    assert "different manifests under one tracking number" in reason
    assert MTN in reason


def test_a_copy_updated_before_the_local_one_is_older() -> None:
    reason = replacement_refusal(_copy(), _copy(updated_date="2026-06-01T13:00:00.000+0000"))
    assert reason is not None
    assert "older version" in reason
    assert "2026-06-01T13:00:00.000+0000" in reason


def test_a_lower_correction_version_is_older() -> None:
    local = _copy(correction_info=CorrectionInfo(version_number=3))
    reason = replacement_refusal(local, _copy(correction_info=CorrectionInfo(version_number=2)))
    assert reason is not None
    assert "correction version 2" in reason


def test_a_copy_of_another_tracking_number_is_refused() -> None:
    reason = replacement_refusal(_copy(), _copy(manifest_tracking_number="100000002ELC"))
    assert reason is not None
    assert "100000002ELC" in reason


def test_a_clash_is_a_conflict_that_names_the_manifest() -> None:
    clash = ManifestClash(MTN, "it is older")
    assert isinstance(clash, Conflict)
    assert (clash.mtn, clash.reason, str(clash)) == (
        MTN,
        "it is older",
        f"manifest {MTN}: it is older",
    )
