"""Whether RCRAInfo's copy of a manifest may replace the one kept here.

RCRAInfo is the source of truth for the manifests it holds, yet one of its answers can still be
wrong for the copy kept here: a tracking number issued a second time (a sandbox that forgot
what it had issued, a mix-up) names a different manifest, and a copy read before a later change
is older than the one kept. Neither replaces the local manifest, whatever RCRAInfo answers: both
facts are kept and the clash is reported, never merged.

A manifest keeps its `createdDate` for life, so two copies created at different times are two
manifests; `updatedDate` (and a correction's `versionNumber`) only move forward, so a copy
behind the local one on either is an older version, except that a revert makes an earlier
version current again: a lower version number updated later is the newer copy. A date that is
missing or unreadable on either side decides nothing.
"""

from __future__ import annotations

from datetime import datetime

from haztrak.domain.errors import Conflict
from haztrak.domain.manifest.datetimes import parse_epa_datetime
from haztrak.domain.manifest.model import Manifest


class ManifestClash(Conflict):
    """RCRAInfo's copy of a manifest may not replace the local one; both are kept as they are.

    `reason` says what is wrong with the copy; the message adds what was kept and what to do.
    """

    def __init__(self, mtn: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"manifest {mtn}: {reason}")
        self.mtn = mtn
        self.reason = reason


def replacement_refusal(local: Manifest, incoming: Manifest) -> str | None:
    """Why `incoming` (RCRAInfo's copy) may not replace `local`, or None when it may."""
    mtn = local.manifest_tracking_number
    if incoming.manifest_tracking_number != mtn:
        return (
            f"RCRAInfo's copy is of {incoming.manifest_tracking_number}, not of {mtn}: "
            "a different manifest"
        )
    created_here, created_there = _instant(local.created_date), _instant(incoming.created_date)
    if created_here and created_there and created_here != created_there:
        return (
            f"RCRAInfo's {mtn} was created {incoming.created_date}, the one kept here "
            f"{local.created_date}: they are different manifests under one tracking number"
        )
    updated_here, updated_there = _instant(local.updated_date), _instant(incoming.updated_date)
    if updated_here and updated_there and updated_there < updated_here:
        return (
            f"RCRAInfo's copy of {mtn} was last updated {incoming.updated_date}, before the one "
            f"kept here ({local.updated_date}): it is an older version"
        )
    version_here, version_there = _version(local), _version(incoming)
    # A revert makes an earlier version current again: a lower number updated later is newer.
    reverted = (
        updated_here is not None and updated_there is not None and updated_there > updated_here
    )
    if (
        not reverted
        and version_here is not None
        and version_there is not None
        and version_there < version_here
    ):
        return (
            f"RCRAInfo's copy of {mtn} is correction version {version_there}, the one kept "
            f"here version {version_here}: it is an older version"
        )
    return None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_epa_datetime(text)
    except ValueError:
        return None


def _version(manifest: Manifest) -> int | None:
    info = manifest.correction_info
    return info.version_number if info is not None else None
