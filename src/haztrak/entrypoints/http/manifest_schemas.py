"""JSON shapes of the manifest and lookup endpoints (camelCase).

The body of a manifest is EPA's manifest JSON, each handler with its read-only `signed` flag.
Saving (POST, PUT) answers with the same document and one key EPA does not define,
`warnings`: the business-rule problems a draft may still have. Clients may send it back;
it is ignored on input.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from haztrak.application.manifests.drafts import SavedManifest
from haztrak.application.manifests.queries import ManifestListing
from haztrak.application.manifests.validation import ValidationReport
from haztrak.application.ports.manifests import ListedManifest, Party
from haztrak.domain.manifest import Manifest, Problem, Status, SubmissionType
from haztrak.entrypoints.http.problems import FieldProblem


def _problems(problems: list[Problem]) -> list[FieldProblem]:
    return [FieldProblem(field=p.field, message=p.message) for p in problems]


class SavedManifestOut(Manifest, kw_only=True):
    """EPA's manifest, and the business-rule problems it still has."""

    warnings: list[FieldProblem]

    @classmethod
    def of(cls, saved: SavedManifest) -> SavedManifestOut:
        return cls(
            **msgspec.structs.asdict(saved.stored.manifest), warnings=_problems(saved.warnings)
        )


class PartyOut(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    epa_site_id: str | None = None
    name: str | None = None
    order: int | None = None
    """A transporter's place (EPA allows any number; the schema keeps it in 32 bits)."""
    signed: bool

    @classmethod
    def of(cls, party: Party) -> PartyOut:
        order = None if party.order is None else int(party.order)
        return cls(epa_site_id=party.epa_site_id, name=party.name, order=order, signed=party.signed)


class ManifestItemOut(msgspec.Struct, kw_only=True, rename="camel"):
    """One manifest in a list: what a table of manifests shows."""

    manifest_tracking_number: str
    status: Status
    submission_type: SubmissionType | None
    signature_status: bool | None
    potential_ship_date: str | None
    shipped_date: str | None
    generator: PartyOut | None
    transporters: list[PartyOut]
    designated_facility: PartyOut | None
    waste_lines: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, listed: ListedManifest) -> ManifestItemOut:
        h = listed.headline
        transporters = sorted(h.transporters, key=lambda t: (t.order is None, t.order or 0))
        return cls(
            manifest_tracking_number=h.manifest_tracking_number,
            status=h.status,
            submission_type=h.submission_type,
            signature_status=h.signature_status,
            potential_ship_date=h.potential_ship_date,
            shipped_date=h.shipped_date,
            generator=PartyOut.of(h.generator) if h.generator else None,
            transporters=[PartyOut.of(t) for t in transporters],
            designated_facility=(
                PartyOut.of(h.designated_facility) if h.designated_facility else None
            ),
            waste_lines=len(h.wastes),
            created_at=listed.created_at,
            updated_at=listed.updated_at,
        )


class ManifestPageOut(msgspec.Struct, kw_only=True, rename="camel"):
    items: list[ManifestItemOut]
    total: int
    """How many manifests match: exact when `totalExact` is true; else an estimate (1,000
    matches or more), so that a page costs the same at any number of manifests."""
    total_exact: bool
    next: str | None
    """Pass as `cursor` for the next page; null on the last."""

    @classmethod
    def of(cls, listing: ManifestListing) -> ManifestPageOut:
        return cls(
            items=[ManifestItemOut.of(s) for s in listing.items],
            total=listing.total,
            total_exact=listing.total_exact,
            next=listing.next,
        )


class ValidationOut(msgspec.Struct, kw_only=True):
    valid: bool
    errors: list[FieldProblem]
    warnings: list[FieldProblem]

    @classmethod
    def of(cls, report: ValidationReport) -> ValidationOut:
        return cls(
            valid=report.valid,
            errors=_problems(report.errors),
            warnings=_problems(report.warnings),
        )
