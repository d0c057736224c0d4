"""The lifecycle: operations by status, who signs next, and signing a manifest through to Signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from haztrak.domain.errors import Forbidden
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    HandlerRole,
    LockReason,
    Manifest,
    Operation,
    OperationNotAllowed,
    OriginType,
    QuickerSignature,
    SignatureMethod,
    SignatureRefused,
    SignatureType,
    Signer,
    SignerRole,
    SigningTurn,
    Status,
    SubmissionType,
    allowed_operations,
    apply_quicker_signature,
    encode_manifest,
    ensure_allowed,
    locked_for_signing,
    next_signer,
    role_may,
    status_after_signature,
    unlocked,
)

FE, HYBRID, DI5C, IMAGE = (
    SubmissionType.FULL_ELECTRONIC,
    SubmissionType.HYBRID,
    SubmissionType.DATA_IMAGE_5_COPY,
    SubmissionType.IMAGE,
)
E, S, U, D, G, C, R = (
    Operation.EDIT,
    Operation.SUBMIT,
    Operation.UPDATE,
    Operation.DELETE,
    Operation.SIGN,
    Operation.CORRECT,
    Operation.REVERT,
)
RV = Operation.RECEIVE
DAY = datetime(2025, 3, 3, 15, tzinfo=UTC)

ELECTRONIC_TABLE = {
    Status.NOT_ASSIGNED: {E, S, D},
    Status.PENDING: {S, U, D},
    Status.SCHEDULED: {S, U, D, G},
    Status.IN_TRANSIT: {G},
    Status.READY_FOR_SIGNATURE: {G, RV},
    Status.SIGNED: {C},
    Status.CORRECTED: {C},
    Status.UNDER_CORRECTION: {C, R},
    Status.MTN_VALIDATION_FAILED: set(),
}
PAPER_TABLE = {
    Status.NOT_ASSIGNED: {E, S, D},
    Status.PENDING: set(),
    Status.SCHEDULED: set(),
    Status.IN_TRANSIT: set(),
    Status.READY_FOR_SIGNATURE: {S, U, D, RV},  # Quicker Sign: electronic manifests only
    Status.SIGNED: {C},
    Status.CORRECTED: {C},
    Status.UNDER_CORRECTION: {C, R},
    Status.MTN_VALIDATION_FAILED: {S, U, D},
}
TABLE = [
    pytest.param(
        status,
        kind,
        operation,
        operation in table[status] and not (kind is IMAGE and operation is RV),  # no lines
        id=f"{kind}-{status}-{operation}",
    )
    for kinds, table in (((FE, HYBRID, None), ELECTRONIC_TABLE), ((DI5C, IMAGE), PAPER_TABLE))
    for kind in kinds
    for status in Status
    for operation in Operation
]


@pytest.mark.parametrize(("status", "submission_type", "operation", "allowed"), TABLE)
def test_each_status_allows_its_operations(
    status: Status, submission_type: SubmissionType | None, operation: Operation, allowed: bool
) -> None:
    assert (operation in allowed_operations(status, submission_type, False)) is allowed


@pytest.mark.parametrize(
    ("status", "submission_type", "left"),
    [
        (Status.SCHEDULED, FE, set()),
        (Status.READY_FOR_SIGNATURE, DI5C, set()),
        (Status.UNDER_CORRECTION, FE, set()),
        (Status.NOT_ASSIGNED, FE, {E}),
    ],
)
def test_a_lock_stops_every_change_in_e_manifest(
    status: Status, submission_type: SubmissionType, left: set[Operation]
) -> None:
    assert allowed_operations(status, submission_type, True) == left


def test_mailed_paper_manifests_are_not_changed_through_services() -> None:
    allowed = allowed_operations(Status.READY_FOR_SIGNATURE, IMAGE, origin_type=OriginType.MAIL)

    assert allowed == set()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (SiteRole.VIEWER, set()),
        (SiteRole.PREPARER, {E, S, U, D, RV}),
        (SiteRole.SIGNER, {E, S, U, D, G, C, R, RV}),
        (SiteRole.SITE_MANAGER, {E, S, U, D, G, C, R, RV}),
    ],
)
def test_each_role_may_perform_its_operations(role: SiteRole, allowed: set[Operation]) -> None:
    assert {operation for operation in Operation if role_may(role, operation)} == allowed


def test_ensure_allowed_refuses_a_role_too_low_before_looking_at_the_status() -> None:
    with pytest.raises(Forbidden, match="to sign a manifest takes the signer role or higher"):
        ensure_allowed(Manifest(status=Status.SIGNED), Operation.SIGN, SiteRole.PREPARER)


def test_ensure_allowed_says_why_and_what_is_allowed_now() -> None:
    with pytest.raises(OperationNotAllowed) as refused:
        ensure_allowed(Manifest(status=Status.IN_TRANSIT, submission_type=FE), Operation.UPDATE)

    assert str(refused.value) == (
        "cannot update: a FullElectronic manifest in status InTransit does not allow it; "
        "allowed now: sign"
    )


def test_ensure_allowed_names_the_lock() -> None:
    manifest = locked_for_signing(Manifest(status=Status.SCHEDULED, submission_type=FE))

    with pytest.raises(OperationNotAllowed, match=r"the manifest is locked \(AsyncSign\)"):
        ensure_allowed(manifest, Operation.DELETE, SiteRole.SITE_MANAGER)
    ensure_allowed(unlocked(manifest), Operation.DELETE, SiteRole.SITE_MANAGER)


def test_locking_for_signing_records_the_reason() -> None:
    manifest = locked_for_signing(Manifest(status=Status.SCHEDULED))

    assert (manifest.locked, manifest.lock_reason) == (True, LockReason.ASYNC_SIGN)
    assert (unlocked(manifest).locked, unlocked(manifest).lock_reason) == (False, None)


# Who signs next


def transporter_turn(order: int) -> SigningTurn:
    return SigningTurn(role=HandlerRole.TRANSPORTER, transporter_order=order)


GENERATOR = SigningTurn(role=HandlerRole.GENERATOR)
TSDF = SigningTurn(role=HandlerRole.TSDF)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.NOT_ASSIGNED, None),
        (Status.PENDING, None),
        (Status.SCHEDULED, GENERATOR),
        (Status.READY_FOR_SIGNATURE, TSDF),
        (Status.SIGNED, None),
        (Status.UNDER_CORRECTION, None),
    ],
)
def test_the_next_signer_follows_the_status(
    documents: Any, status: Status, expected: SigningTurn | None
) -> None:
    assert next_signer(documents.manifest("electronic", {"status": status.value})) == expected


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        ((), GENERATOR),
        (("generator",), transporter_turn(1)),
        (("generator", "transporters.0"), transporter_turn(2)),
        (("generator", "transporters.0", "transporters.1"), transporter_turn(3)),
        (("generator", "transporters.0", "transporters.1", "transporters.2"), TSDF),
    ],
)
def test_with_three_transporters_each_signs_in_order(
    documents: Any, signed: tuple[str, ...], expected: SigningTurn
) -> None:
    status = "Scheduled" if len(signed) < 2 else "InTransit"
    changes: dict[str, Any] = {"status": status}
    changes |= {
        f"{party}.electronicSignaturesInfo": [{"signatureDate": "2025-03-03T12:00:00.000+0000"}]
        for party in signed
    }

    assert next_signer(documents.manifest("electronic", changes)) == expected


def test_with_one_transporter_the_transporter_follows_the_generator(documents: Any) -> None:
    manifest = documents.manifest("single_transporter")
    assert next_signer(manifest) == GENERATOR, "the generator's stub has no signature date"

    signed = documents.manifest(
        "single_transporter",
        {"generator.electronicSignaturesInfo.0.signatureDate": "2021-09-25T12:00:00.000+0000"},
    )
    assert next_signer(signed) == transporter_turn(1)


def test_a_hybrid_generator_signs_on_paper_before_the_first_transporter(documents: Any) -> None:
    assert next_signer(documents.manifest("hybrid")) == transporter_turn(1)
    assert next_signer(documents.manifest("hybrid", {"generator.paperSignatureInfo": ...})) == (
        GENERATOR
    )


@pytest.mark.parametrize("name", ["paper", "image"])
def test_a_paper_manifest_waits_for_its_designated_facility(documents: Any, name: str) -> None:
    assert next_signer(documents.manifest(name)) == TSDF
    assert next_signer(documents.manifest(name, {"status": "MtnValidationFailed"})) is None


@pytest.mark.parametrize("name", ["paper", "image"])
def test_quicker_sign_is_for_electronic_manifests_only(documents: Any, name: str) -> None:
    """EPA (NOTES §3.2, "quicker sign: electronic manifests only"): a DataImage5Copy or Image
    manifest in ReadyForSignature is signed in e-Manifest, never by Quicker Sign."""
    manifest = documents.manifest(name)
    facility = manifest.designated_facility
    assert facility is not None
    assert facility.epa_site_id is not None

    with pytest.raises(OperationNotAllowed, match="cannot sign"):
        apply_quicker_signature(
            manifest,
            QuickerSignature(
                site_id=facility.epa_site_id,
                site_type=HandlerRole.TSDF,
                printed_name="Dana",
                signed_at=DAY,
            ),
            now=DAY,
        )


@pytest.mark.parametrize(
    ("transporters", "turn", "expected"),
    [
        (1, GENERATOR, Status.SCHEDULED),
        (1, transporter_turn(1), Status.READY_FOR_SIGNATURE),
        (3, transporter_turn(1), Status.IN_TRANSIT),
        (3, transporter_turn(2), Status.IN_TRANSIT),
        (3, transporter_turn(3), Status.READY_FOR_SIGNATURE),
        (3, TSDF, Status.SIGNED),
    ],
)
def test_the_status_after_a_signature(
    documents: Any, transporters: int, turn: SigningTurn, expected: Status
) -> None:
    name = "single_transporter" if transporters == 1 else "electronic"

    assert status_after_signature(documents.manifest(name), turn) == expected


# Signing a manifest through


def sign(manifest: Manifest, turn: SigningTurn, on: datetime = DAY) -> Manifest:
    handler = {
        HandlerRole.GENERATOR: manifest.generator,
        HandlerRole.TSDF: manifest.designated_facility,
    }.get(turn.role) or manifest.transporter(turn.transporter_order or 0)
    assert handler is not None
    assert handler.epa_site_id is not None
    return apply_quicker_signature(
        manifest,
        QuickerSignature(
            site_id=handler.epa_site_id,
            site_type=turn.role,
            transporter_order=turn.transporter_order,
            printed_name="Dana Q Public",
            signed_at=on,
        ),
        now=on,
    )


def test_three_transporters_walk_from_scheduled_to_signed(documents: Any) -> None:
    manifest = documents.manifest("electronic")
    statuses = [manifest.current_status()]

    while (turn := next_signer(manifest)) is not None:
        manifest = sign(manifest, turn)
        statuses.append(manifest.current_status())

    assert statuses == [
        Status.SCHEDULED,
        Status.SCHEDULED,
        Status.IN_TRANSIT,
        Status.IN_TRANSIT,
        Status.READY_FOR_SIGNATURE,
        Status.SIGNED,
    ]
    assert all(handler.has_signed() for _, handler in manifest.handlers())
    assert manifest.shipped_date == "2025-03-03T15:00:00.000+0000"
    assert manifest.received_date == "2025-03-03T15:00:00.000+0000"
    assert manifest.signature_status is True


def test_one_transporter_skips_in_transit(documents: Any) -> None:
    manifest = documents.manifest("single_transporter")
    statuses = []

    while (turn := next_signer(manifest)) is not None:
        manifest = sign(manifest, turn)
        statuses.append(manifest.current_status())

    assert statuses == [Status.SCHEDULED, Status.READY_FOR_SIGNATURE, Status.SIGNED]


def test_the_signature_is_recorded_on_the_handler_as_e_manifest_records_it(
    documents: Any,
) -> None:
    manifest = sign(documents.manifest("single_transporter"), GENERATOR)

    assert manifest.generator is not None
    stub, signature = manifest.generator.electronic_signatures_info or []
    assert stub.signature_date is None
    assert signature.signature_date == "2025-03-03T15:00:00.000+0000"
    assert signature.signer == Signer(first_name="Dana Q", last_name="Public")
    assert signature.signature_method is SignatureMethod.QUICKER_SIGN
    assert signature.signer_role is SignerRole.INDUSTRY
    assert manifest.generator.signature_type is SignatureType.QUICKER_SIGN


def test_signing_leaves_the_original_manifest_alone(documents: Any) -> None:
    manifest = documents.manifest("electronic")
    before = encode_manifest(manifest)

    sign(manifest, GENERATOR)

    assert encode_manifest(manifest) == before


def test_a_given_signer_is_recorded_as_given(documents: Any) -> None:
    manifest = documents.manifest("single_transporter")
    while next_signer(manifest) != TSDF:
        manifest = sign(manifest, next_signer(manifest) or TSDF)
    facility = manifest.designated_facility
    assert facility is not None
    assert facility.epa_site_id is not None
    signer = Signer(user_id="DPGRAHAM4401", first_name="David", last_name="Graham")

    signed = apply_quicker_signature(
        manifest,
        QuickerSignature(
            site_id=facility.epa_site_id,
            site_type=HandlerRole.TSDF,
            printed_name="David Graham",
            signed_at=DAY,
            signer=signer,
        ),
        now=DAY,
    )

    assert signed.current_status() is Status.SIGNED
    assert signed.designated_facility is not None
    assert (signed.designated_facility.electronic_signatures_info or [])[-1].signer == signer


@pytest.mark.parametrize(
    ("name", "changes", "signature", "refusal"),
    [
        (
            "electronic",
            {},
            {"site_id": "VATEST000001", "site_type": "Transporter", "transporter_order": 1},
            "the manifest is not ready to be signed by the transporter 1: "
            "it waits for the generator",
        ),
        (
            "electronic",
            {},
            {"site_id": "VATEST000001", "site_type": "Generator"},
            "VATEST000001 is not the generator on this manifest",
        ),
        (
            "electronic",
            {"status": "Pending"},
            {"site_id": "VATEST000004", "site_type": "Generator"},
            "cannot sign: a FullElectronic manifest in status Pending does not allow it",
        ),
        (
            "electronic",
            {"locked": True, "lockReason": "AsyncSign"},
            {"site_id": "VATEST000004", "site_type": "Generator"},
            r"cannot sign: the manifest is locked \(AsyncSign\)",
        ),
        (
            "hybrid",
            {"generator.paperSignatureInfo": ...},
            {"site_id": "VATEST000004", "site_type": "Generator"},
            "a Hybrid manifest's generator signs on paper",
        ),
    ],
    ids=["not-your-turn", "not-your-site", "pending", "locked", "hybrid-generator"],
)
def test_a_signature_out_of_turn_is_refused(
    documents: Any,
    name: str,
    changes: dict[str, Any],
    signature: dict[str, Any],
    refusal: str,
) -> None:
    fields: dict[str, Any] = {"printed_name": "Dana", "signed_at": DAY} | signature
    request = QuickerSignature(**fields | {"site_type": HandlerRole(signature["site_type"])})

    with pytest.raises((SignatureRefused, OperationNotAllowed), match=refusal):
        apply_quicker_signature(documents.manifest(name, changes), request, now=DAY)


@pytest.mark.parametrize(
    ("signed_at", "refusal"),
    [
        (DAY - timedelta(days=1), r"may not be earlier than the previous signature \(2025-03-03\)"),
        (DAY + timedelta(days=1), "may not be in the future"),
        (datetime(2099, 1, 1, tzinfo=UTC), "may not be in the future"),
    ],
    ids=["before-the-generator", "tomorrow", "2099"],
)
def test_a_signature_is_dated_from_the_previous_partys_day_to_today(
    documents: Any, signed_at: datetime, refusal: str
) -> None:
    """EPA (NOTES §3.3 and §3.4): a signature date may not be earlier than the previous
    party's, and never in the future; compared by UTC day."""
    manifest = sign(documents.manifest("single_transporter"), GENERATOR, on=DAY)
    transporter = manifest.transporter(1)
    assert transporter is not None
    assert transporter.epa_site_id is not None
    request = QuickerSignature(
        site_id=transporter.epa_site_id,
        site_type=HandlerRole.TRANSPORTER,
        transporter_order=1,
        printed_name="Dana",
        signed_at=signed_at,
    )

    with pytest.raises(SignatureRefused, match=refusal):
        apply_quicker_signature(manifest, request, now=DAY)
    # The same day, later than the generator's signature and up to today, is fine.
    late_today = DAY.replace(hour=23)
    signed = apply_quicker_signature(
        manifest, msgspec.structs.replace(request, signed_at=late_today), now=late_today
    )
    assert signed.current_status() is Status.READY_FOR_SIGNATURE


def test_a_signature_needs_a_known_time_zone(documents: Any) -> None:
    request = QuickerSignature(
        site_id="VATEST000004",
        site_type=HandlerRole.GENERATOR,
        printed_name="Dana",
        signed_at=datetime(2025, 3, 3),
    )

    with pytest.raises(ValueError, match="timezone-aware"):
        apply_quicker_signature(documents.manifest("electronic"), request, now=DAY)


def test_the_same_day_as_the_previous_signature_is_not_earlier(documents: Any) -> None:
    manifest = sign(documents.manifest("electronic"), GENERATOR, on=DAY)

    signed = sign(manifest, transporter_turn(1), on=DAY - timedelta(hours=2))

    assert signed.current_status() is Status.IN_TRANSIT


# The read-only signed flag and what goes to e-Manifest


def test_handlers_carry_the_signed_flag_we_answer_with(documents: Any) -> None:
    manifest = sign(documents.manifest("electronic"), GENERATOR).with_signed_flags()

    assert [handler.signed for _, handler in manifest.handlers()] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_what_goes_to_e_manifest_has_no_signed_flags_and_no_draft_number(documents: Any) -> None:
    manifest = documents.manifest("electronic", {"manifestTrackingNumber": "000000042DFT"})

    sent = manifest.with_signed_flags().for_emanifest()

    assert encode_manifest(sent) == encode_manifest(documents.manifest("electronic")), (
        "the same document EPA published"
    )


def test_the_handlers_are_listed_in_signing_order_with_their_roles(documents: Any) -> None:
    manifest: Manifest = documents.manifest("rejection")

    assert [(role, handler.epa_site_id) for role, handler in manifest.handlers()] == [
        (HandlerRole.GENERATOR, "VATEST000004"),
        (HandlerRole.TRANSPORTER, "VATEST000002"),
        (HandlerRole.TSDF, "VAD000532119"),
        (HandlerRole.ALTERNATE_TSDF, "VATEST000003"),
    ]
    assert manifest.site_ids() == {"VATEST000004", "VATEST000002", "VAD000532119", "VATEST000003"}
    assert manifest.transporter(1) is (manifest.transporters or [])[0]
    assert manifest.transporter(2) is None
