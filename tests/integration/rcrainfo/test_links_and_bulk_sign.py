"""Bulk Quicker Sign and EPA's UI-link service through `EmanifestRcrainfo` and EPA's client,
over HTTPS to the sandbox (and preprod when configured)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from haztrak.adapters.rcrainfo import EmanifestRcrainfo
from haztrak.application.ports.rcrainfo import RcrainfoError
from haztrak.application.ports.rcrainfo import RcrainfoErrorKind as Kind
from haztrak.domain.manifest import HandlerRole, Status
from haztrak.domain.rcrainfo_links import UiLink, UiPage
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS
from tests.integration.rcrainfo.conftest import Target, credentials
from tests.integration.rcrainfo.test_contract import save_example, scenario_parties, signature

SCENARIO = "Scenario-1-emanifest-save-valid-Full-Electronic-example.json"


async def test_one_signature_for_several_manifests_reports_each(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    mtns = [(await save_example(rcrainfo, target, SCENARIO, printed_mtn))[1] for _ in range(3)]
    parties = scenario_parties()
    generator = await rcrainfo.quicker_sign(
        target.credentials, signature(parties["generator"], HandlerRole.GENERATOR, *mtns[:2])
    )
    assert generator.operation_status in ("AllSigned", "Completed")
    assert [(r.manifest_tracking_number, r.signed) for r in generator.results] == [
        (mtns[0], True),
        (mtns[1], True),
    ]
    # The transporter signs all three: the third has no generator signature yet.
    report = await rcrainfo.quicker_sign(
        target.credentials,
        signature(parties["transporter"], HandlerRole.TRANSPORTER, *mtns, order=1),
    )
    assert report.operation_status in ("PartiallySigned", "PartiallyCompleted")
    outcome = {r.manifest_tracking_number: r for r in report.results}
    assert [outcome[m].signed for m in mtns] == [True, True, False]
    assert "not ready" in outcome[mtns[2]].errors[0].message
    for mtn, status in zip(
        mtns,
        (Status.READY_FOR_SIGNATURE, Status.READY_FOR_SIGNATURE, Status.SCHEDULED),
        strict=True,
    ):
        assert (await rcrainfo.get_manifest(target.credentials, mtn)).status is status


async def test_links_to_a_manifests_pages(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(rcrainfo, target, SCENARIO, printed_mtn)
    generator = scenario_parties()["generator"]
    view = await rcrainfo.ui_link(target.credentials, UiLink.of("View", generator, mtn))
    assert view.startswith("https://")
    assert generator in view
    assert mtn in view
    dashboard = await rcrainfo.ui_link(
        target.credentials, UiLink.of("BulkQuickSign", generator, filter=(mtn,), view="Outgoing")
    )
    assert dashboard.startswith("https://")

    # The generator signs first: the facility's Sign link is refused, the generator's is not.
    sign = await rcrainfo.ui_link(target.credentials, UiLink.of("Sign", generator, mtn))
    assert mtn in sign
    tsdf = scenario_parties()["tsdf"]
    with pytest.raises(RcrainfoError) as refused:
        await rcrainfo.ui_link(target.credentials, UiLink.of("Sign", tsdf, mtn))
    assert refused.value.kind is Kind.VALIDATION
    assert "not ready" in str(refused.value.field_errors[0].message)


async def test_the_sandbox_refuses_what_epa_refuses(
    adapter: EmanifestRcrainfo, printed_mtn: Callable[[], str]
) -> None:
    """Links built around UiLink.of's checks reach the sandbox, which has its own reading."""
    account = credentials(EXAMPLE_USER_CREDENTIALS)
    generator = scenario_parties()["generator"]
    for link, field in [
        (
            UiLink(
                page=UiPage.DASHBOARD,
                epa_site_id=generator,
                manifest_tracking_number="100000001ELC",
            ),
            "manifestTrackingNumber",
        ),
        (UiLink(page=UiPage.VIEW, epa_site_id=generator), "manifestTrackingNumber"),
        (UiLink(page=UiPage.BULK_SIGN, epa_site_id=generator, view="Incoming"), "view"),
    ]:
        with pytest.raises(RcrainfoError) as refused:
            await adapter.ui_link(account, link)
        assert refused.value.kind is Kind.VALIDATION
        assert refused.value.field_errors[0].field == field
    with pytest.raises(RcrainfoError) as unknown:
        await adapter.ui_link(account, UiLink.of("View", generator, "999999999ELC"))
    assert unknown.value.kind is Kind.NOT_FOUND
