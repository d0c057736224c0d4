"""The `Rcrainfo` contract: EPA's examples save and read back, refusals come back with EPA's
field paths and a kind, Quicker Sign follows the signing order, searches and lookups answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from haztrak.adapters.rcrainfo import EmanifestRcrainfo
from haztrak.application.ports.rcrainfo import (
    Lookup,
    QuickerSign,
    RcrainfoError,
    RcrainfoErrorKind,
    SiteSearch,
)
from haztrak.domain.handlers import SiteType
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    ManifestShapeError,
    Status,
    manifest_from_document,
)
from tests.integration.rcrainfo.conftest import Target
from tests.integration.sandbox.support import EXAMPLES, assert_contains, example, scanned_manifest

Kind = RcrainfoErrorKind


def _save_requests() -> list[str]:
    names = sorted(p.name for p in EXAMPLES.glob("*.json"))
    return [
        name
        for name in names
        if name.startswith(("emanifest-save-", "Scenario-"))
        and "-save-" in name
        and not name.endswith("-response.json")
    ]


SAVE_REQUESTS = _save_requests()
DERIVED = ("discrepancy", "residue")
"""e-Manifest derives these from the waste lines, whatever the caller sends."""


def test_every_save_request_of_epas_examples_is_covered() -> None:
    assert len(SAVE_REQUESTS) == 9
    assert "emanifest-save-valid-Hybrid-example.json" in SAVE_REQUESTS


def manifest_of(name: str, **changes: Any) -> Manifest:
    return manifest_from_document(example(name) | changes)


def document_of(manifest: Manifest) -> dict[str, Any]:
    document: dict[str, Any] = msgspec.to_builtins(manifest)
    return document


def without(document: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


async def save_example(
    rcrainfo: EmanifestRcrainfo, target: Target, name: str, printed_mtn: Callable[[], str]
) -> tuple[Manifest, str]:
    """Save one of EPA's examples as EPA documents it: a paper one with a printed number and
    the scanned form in a zip that `printedDocument` describes."""
    manifest = manifest_of(name)
    attachment = None
    if manifest.submission_type is not None and manifest.submission_type.is_paper:
        mtn = printed_mtn()
        pdf, attachment = scanned_manifest(mtn)
        manifest = manifest_of(
            name,
            manifestTrackingNumber=mtn,
            printedDocument={"name": f"{mtn}.pdf", "size": len(pdf), "mimeType": "APPLICATION_PDF"},
        )
    report = await rcrainfo.save_manifest(target.credentials, manifest, attachment)
    assert report.operation_status == "Saved"
    return manifest, report.manifest_tracking_number


@pytest.mark.parametrize("name", SAVE_REQUESTS)
async def test_each_example_saves_and_reads_back_equal(
    rcrainfo: EmanifestRcrainfo, target: Target, name: str, printed_mtn: Callable[[], str]
) -> None:
    sent, mtn = await save_example(rcrainfo, target, name, printed_mtn)
    if sent.manifest_tracking_number is not None:
        assert mtn == sent.manifest_tracking_number
    else:
        assert mtn.endswith("ELC")

    got = await rcrainfo.get_manifest(target.credentials, mtn)
    assert isinstance(got, Manifest)
    assert got.manifest_tracking_number == mtn
    assert_contains(without(document_of(sent), DERIVED), document_of(got))
    assert await rcrainfo.mtn_exists(target.credentials, mtn) is True


async def test_update_keeps_the_warnings_of_a_successful_save(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(
        rcrainfo,
        target,
        "Scenario-1-emanifest-save-valid-Full-Electronic-example.json",
        printed_mtn,
    )
    changed = manifest_of(
        "Scenario-1-emanifest-update-valid-Full-Electronic-example.json",
        manifestTrackingNumber=mtn,
    )
    report = await rcrainfo.update_manifest(target.credentials, changed)
    assert report.operation_status == "Updated"
    assert report.manifest_tracking_number == mtn
    # As EPA's own response to this example warns: the management method was dropped.
    assert "Emanifest.wastes.0.managementMethod.code" in {w.field for w in report.warnings}
    got = await rcrainfo.get_manifest(target.credentials, mtn)
    assert got.wastes is not None
    assert got.wastes[0].quantity is not None
    assert got.wastes[0].quantity.quantity == 74


async def test_delete_then_the_manifest_is_not_found(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(
        rcrainfo, target, "emanifest-save-valid-Full-Electronic-example.json", printed_mtn
    )
    report = await rcrainfo.delete_manifest(target.credentials, mtn)
    assert (report.operation_status, report.manifest_tracking_number) == ("Deleted", mtn)
    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.get_manifest(target.credentials, mtn)
    assert caught.value.kind is Kind.NOT_FOUND
    assert await rcrainfo.mtn_exists(target.credentials, mtn) is False


def failure_example() -> dict[str, list[str]]:
    """EPA's failure example: message by field path."""
    found: dict[str, list[str]] = {}
    for error in example("emanifest-return-failure-example.json")["errors"]:
        found.setdefault(error["field"], []).append(error["message"])
    return found


def test_the_domain_refuses_the_failure_examples_waste_line_with_the_same_paths() -> None:
    """Most problems of EPA's failure example (a legacy `hazardous` field, `br`/`brInfo`
    swapped, `dotInformation` with extra keys) cannot be put into a domain manifest at all, so
    they never reach RCRAInfo: decoding refuses them at EPA's paths."""
    document = example("emanifest-save-valid-Full-Electronic-example.json")
    waste = document["wastes"][0]
    for key in ("dotHazardous", "epaWaste", "pcb"):
        del waste[key]
    waste["hazardous"] = True
    waste["br"], waste["brInfo"] = {"density": 1.5}, True
    waste["dotInformation"].update(
        emergencyGuideNumber="128", hazardClass="3", packingGroup="III",
        properShippingName="Diesel fuel", rqDescription="RQ", technicalName="diesel",
    )  # fmt: skip
    waste["quantity"]["quantity"] = 480.5
    with pytest.raises(ManifestShapeError) as caught:
        manifest_from_document(document)
    domain_paths = {f"Emanifest.{p.field}" for p in caught.value.problems}
    epa_paths = set(failure_example())

    def under(path: str, root: str) -> bool:
        return path == root or path.startswith(root + ".")

    # The domain names each problem at EPA's path or at the key under it.
    assert all(any(under(d, e) for d in domain_paths) for e in epa_paths)
    assert all(any(under(d, e) for e in epa_paths) for d in domain_paths)


async def test_the_failure_examples_problem_that_a_manifest_can_carry_is_refused_by_emanifest(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    """A fractional quantity fits the domain model (it is typed `int | float` so that a rule
    can name it); sent anyway, e-Manifest refuses it as its failure example shows."""
    document = example("emanifest-save-valid-Full-Electronic-example.json")
    document["wastes"][0]["quantity"]["quantity"] = 480.5
    manifest = msgspec.convert(document, Manifest)
    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.save_manifest(target.credentials, manifest)
    error = caught.value
    assert error.kind is Kind.VALIDATION
    assert not error.retryable
    path = "Emanifest.wastes.0.quantity.quantity"
    assert [(e.field, e.message) for e in error.field_errors] == [
        (path, failure_example()[path][0])
    ]
    assert path in error.message


async def test_business_rules_refuse_with_every_field_path(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    document = example("emanifest-save-valid-Full-Electronic-example.json")
    del document["wastes"][0]["quantity"]["containerType"]
    document["wastes"][1]["pcbInfos"] = []
    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.save_manifest(target.credentials, manifest_from_document(document))
    assert caught.value.kind is Kind.VALIDATION
    fields = {e.field for e in caught.value.field_errors}
    assert {"Emanifest.wastes.0.quantity.containerType", "Emanifest.wastes.1.pcbInfos"} <= fields


def scenario_parties() -> dict[str, str]:
    manifest = example("Scenario-1-emanifest-save-valid-Full-Electronic-example.json")
    return {
        "generator": manifest["generator"]["epaSiteId"],
        "transporter": manifest["transporters"][0]["epaSiteId"],
        "tsdf": manifest["designatedFacility"]["epaSiteId"],
    }


def signature(site_id: str, role: HandlerRole, *mtns: str, order: int | None = None) -> QuickerSign:
    return QuickerSign(
        site_id=site_id,
        site_type=role,
        printed_signature_name="Pat Signer",
        printed_signature_date=datetime.now(UTC),
        manifest_tracking_numbers=mtns,
        transporter_order=order,
    )


async def test_quicker_sign_in_turn_walks_the_manifest_to_signed(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(
        rcrainfo,
        target,
        "Scenario-1-emanifest-save-valid-Full-Electronic-example.json",
        printed_mtn,
    )
    parties = scenario_parties()
    steps = [
        (signature(parties["generator"], HandlerRole.GENERATOR, mtn), Status.SCHEDULED),
        (
            signature(parties["transporter"], HandlerRole.TRANSPORTER, mtn, order=1),
            Status.READY_FOR_SIGNATURE,  # one transporter: InTransit is skipped
        ),
        (signature(parties["tsdf"], HandlerRole.TSDF, mtn), Status.SIGNED),
    ]
    for command, status in steps:
        report = await rcrainfo.quicker_sign(target.credentials, command)
        assert report.operation_status in ("AllSigned", "Completed")
        assert [(r.manifest_tracking_number, r.signed) for r in report.results] == [(mtn, True)]
        assert (await rcrainfo.get_manifest(target.credentials, mtn)).status is status


async def test_quicker_sign_out_of_turn_is_refused_for_that_manifest(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    name = "Scenario-1-emanifest-save-valid-Full-Electronic-example.json"
    _, first = await save_example(rcrainfo, target, name, printed_mtn)
    _, second = await save_example(rcrainfo, target, name, printed_mtn)
    parties = scenario_parties()

    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.quicker_sign(
            target.credentials, signature(parties["tsdf"], HandlerRole.TSDF, first)
        )
    assert caught.value.kind is Kind.VALIDATION
    assert [e.value for e in caught.value.field_errors] == [first]
    assert "not ready" in caught.value.field_errors[0].message

    # Signing two where one is in turn: a partial report, each manifest with its outcome.
    await rcrainfo.quicker_sign(
        target.credentials, signature(parties["generator"], HandlerRole.GENERATOR, first)
    )
    report = await rcrainfo.quicker_sign(
        target.credentials,
        signature(parties["transporter"], HandlerRole.TRANSPORTER, first, second, order=1),
    )
    assert report.operation_status in ("PartiallySigned", "PartiallyCompleted")
    outcome = {r.manifest_tracking_number: r for r in report.results}
    assert outcome[first].signed
    assert not outcome[second].signed
    assert outcome[second].errors
    assert (await rcrainfo.get_manifest(target.credentials, second)).status is Status.SCHEDULED


async def test_searches_find_the_sites_manifests(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    _, mtn = await save_example(
        rcrainfo,
        target,
        "Scenario-1-emanifest-save-valid-Full-Electronic-example.json",
        printed_mtn,
    )
    generator = scenario_parties()["generator"]
    assert mtn in await rcrainfo.search_manifests(
        target.credentials, site_id=generator, updated_since=before
    )
    assert mtn in await rcrainfo.search_manifests(target.credentials, site_id=generator)
    assert mtn not in await rcrainfo.search_manifests(
        target.credentials, site_id=generator, updated_until=before - timedelta(days=1)
    )
    assert mtn in await rcrainfo.site_tracking_numbers(target.credentials, generator)


async def test_site_details_and_site_search(rcrainfo: EmanifestRcrainfo, target: Target) -> None:
    site = await rcrainfo.get_site(target.credentials, "VATESTGEN001")
    assert site.epa_site_id == "VATESTGEN001"
    assert site.site_type is SiteType.GENERATOR
    assert site.site_address is not None

    found = await rcrainfo.search_sites(target.credentials, SiteSearch(epa_site_id="VATESTGEN001"))
    assert "VATESTGEN001" in {s.epa_site_id for s in found}
    by_state = await rcrainfo.search_sites(
        target.credentials, SiteSearch(state="VA", site_type=SiteType.TSDF)
    )
    assert by_state
    assert {s.site_type for s in by_state} == {SiteType.TSDF}


async def test_a_site_that_does_not_exist_is_not_found(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.get_site(target.credentials, "VAX999999999")
    assert caught.value.kind is Kind.NOT_FOUND


async def test_user_search_reports_site_permissions(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    users = await rcrainfo.search_users(target.credentials, site_ids=["VATESTGEN001"])
    assert users
    permissions = [p for user in users for p in user.permissions]
    assert {p.epa_site_id for p in permissions} == {"VATESTGEN001"}
    assert any(p.emanifest == "Certifier" for p in permissions)
    assert any(p.site_management for p in permissions)


@pytest.mark.parametrize("lookup", list(Lookup))
async def test_each_lookup_answers_codes(
    rcrainfo: EmanifestRcrainfo, target: Target, lookup: Lookup
) -> None:
    codes = await rcrainfo.lookup(target.credentials, lookup)
    assert codes
    assert all(code.code for code in codes)


async def test_state_waste_codes(rcrainfo: EmanifestRcrainfo, target: Target) -> None:
    codes = await rcrainfo.state_waste_codes(target.credentials, "va")
    assert codes


async def test_arguments_that_would_change_the_url_are_refused_before_any_request(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    for call in (
        rcrainfo.get_manifest(target.credentials, "../auth/x/y"),
        rcrainfo.get_site(target.credentials, "VA/../../x"),
        rcrainfo.site_tracking_numbers(target.credentials, "not an id"),
        rcrainfo.state_waste_codes(target.credentials, "T/"),
    ):
        with pytest.raises(RcrainfoError) as caught:
            await call
        assert caught.value.kind is Kind.VALIDATION
        assert caught.value.field_errors
