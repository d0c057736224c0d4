"""What a user may do to one manifest now, and what a manifest is found by."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from haztrak.domain.access import Grants
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    ElectronicSignature,
    HandlerRole,
    Manifest,
    Status,
    SubmissionType,
)
from haztrak.domain.manifest.search import normalize_search_text, search_terms
from haztrak.domain.manifest_actions import ManifestAction as A
from haztrak.domain.manifest_actions import manifest_actions
from tests.manifest_documents import a_manifest

GEN, T1, T2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"


def grants(**roles: SiteRole) -> Grants:
    sites = {GEN: "gen", T1: "t1", T2: "t2", TSDF: "tsdf"}
    by_site = {epa_id: roles[key] for epa_id, key in sites.items() if key in roles}
    return Grants(user_id=uuid.uuid4(), site_roles=by_site)


def with_signatures(manifest: Manifest, *parties: str) -> Manifest:
    signature = [ElectronicSignature(signature_date="2026-01-10T10:00:00.000+00:00")]
    changes: dict[str, object] = {}
    if "gen" in parties:
        changes["generator"] = msgspec.structs.replace(
            manifest.generator, electronic_signatures_info=signature
        )
    transporters = list(manifest.transporters or ())
    for index, key in enumerate(("t1", "t2")):
        if key in parties:
            transporters[index] = msgspec.structs.replace(
                transporters[index], electronic_signatures_info=signature
            )
    changes["transporters"] = transporters
    return msgspec.structs.replace(manifest, **changes)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (SiteRole.VIEWER, set()),  # a draft is not a viewer's to see
        (SiteRole.PREPARER, {A.EDIT, A.SUBMIT, A.DELETE}),
        (SiteRole.SIGNER, {A.EDIT, A.SUBMIT, A.DELETE}),
    ],
)
def test_a_draft_is_edited_submitted_or_deleted_by_its_owner_sites_preparers(
    role: SiteRole, expected: set[A]
) -> None:
    draft = a_manifest()
    assert manifest_actions(grants(gen=role), draft, owner_site=GEN).actions == expected
    # the other sites named on it see nothing to do (nor the draft)
    assert manifest_actions(grants(t1=SiteRole.SIGNER), draft, owner_site=GEN).actions == set()


def test_signing_follows_the_turn_and_the_role_on_that_site() -> None:
    scheduled = a_manifest(mtn="100000001ELC", status="Scheduled")
    mine = manifest_actions(grants(gen=SiteRole.SIGNER), scheduled, owner_site=None)
    assert mine.actions == {A.SIGN, A.UPDATE, A.SYNC}
    assert mine.seat is not None
    assert (mine.seat.site_id, mine.seat.role, mine.seat.describe()) == (
        GEN,
        HandlerRole.GENERATOR,
        "generator",
    )
    preparer = manifest_actions(grants(gen=SiteRole.PREPARER), scheduled, owner_site=None)
    assert preparer.actions == {A.UPDATE, A.SYNC}
    viewer = manifest_actions(grants(gen=SiteRole.VIEWER), scheduled, owner_site=None)
    assert (viewer.actions, viewer.sync_site) == ({A.SYNC}, GEN)
    # a transporter waits for its turn, then signs in its order
    transporter = grants(t1=SiteRole.SIGNER, t2=SiteRole.SIGNER)
    assert A.SIGN not in manifest_actions(transporter, scheduled, owner_site=None).actions
    after_generator = with_signatures(scheduled, "gen")
    first = manifest_actions(transporter, after_generator, owner_site=None)
    assert first.seat is not None
    assert (first.seat.site_id, first.seat.transporter_order) == (T1, 1)
    in_transit = msgspec.structs.replace(
        with_signatures(scheduled, "gen", "t1"), status=Status.IN_TRANSIT
    )
    second = manifest_actions(transporter, in_transit, owner_site=None)
    assert second.seat is not None
    assert (second.seat.site_id, second.seat.describe()) == (T2, "transporter 2")
    assert A.UPDATE not in second.actions  # InTransit: only signing


def test_nothing_to_sign_when_locked_a_hybrid_generator_or_someone_elses_manifest() -> None:
    scheduled = a_manifest(mtn="100000001ELC", status="Scheduled")
    signer = grants(gen=SiteRole.SIGNER)
    locked = msgspec.structs.replace(scheduled, locked=True)
    assert manifest_actions(signer, locked, owner_site=None).actions == {A.SYNC}
    hybrid = a_manifest(mtn="100000001ELC", status="Scheduled", submission_type="Hybrid")
    assert A.SIGN not in manifest_actions(signer, hybrid, owner_site=None).actions
    stranger = Grants(user_id=uuid.uuid4(), site_roles={"VAELSEWHERE1": SiteRole.SIGNER})
    assert manifest_actions(stranger, scheduled, owner_site=None).actions == set()


def test_a_manifest_is_found_by_epa_ids_names_from_each_word_and_waste_codes() -> None:
    manifest = a_manifest(transporters=("MOCKTRANS001",))
    manifest = msgspec.structs.replace(
        manifest,
        generator=msgspec.structs.replace(manifest.generator, name="  Acme   Chemical Co "),
    )
    terms = search_terms(manifest)
    assert {"VATESTGEN001", "MOCKTRANS001", "MOCKTSDFS001", "D001"} <= terms
    assert {"ACME CHEMICAL CO", "CHEMICAL CO", "CO"} <= terms
    assert "EMICAL CO" not in terms
    assert normalize_search_text("  acme \t chem ") == "ACME CHEM"


def test_a_pending_electronic_manifest_is_scheduled_by_those_who_may_update_it() -> None:
    """EPA: a caller sets only Pending or Scheduled; Pending -> Scheduled is an update, after
    which the generator may sign."""
    pending = a_manifest(mtn="100000002ELC", status="Pending")
    assert (
        A.SCHEDULE
        in manifest_actions(grants(gen=SiteRole.PREPARER), pending, owner_site=None).actions
    )
    assert (
        A.SCHEDULE
        not in manifest_actions(grants(gen=SiteRole.VIEWER), pending, owner_site=None).actions
    )
    scheduled = a_manifest(mtn="100000002ELC", status="Scheduled")
    assert (
        A.SCHEDULE
        not in manifest_actions(grants(gen=SiteRole.PREPARER), scheduled, owner_site=None).actions
    )
    paper = msgspec.structs.replace(pending, submission_type=SubmissionType.DATA_IMAGE_5_COPY)
    assert (
        A.SCHEDULE
        not in manifest_actions(grants(gen=SiteRole.PREPARER), paper, owner_site=None).actions
    )
