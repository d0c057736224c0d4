"""e-Manifest answers a waste line's container type and unit of measurement with code and
description, as EPA's own manifests carry them, whether seeded or saved with a code alone."""

from __future__ import annotations

from typing import Any

from emanifest import RcrainfoClient

from haztrak.domain.manifest.codes import CONTAINER_TYPE_BY_CODE, UNIT_OF_MEASURE_BY_CODE
from tests.integration.sandbox.support import GENERATOR_MANAGER, ClientFactory, example


def _described(manifest: dict[str, Any]) -> list[tuple[dict[str, str], dict[str, str]]]:
    pairs = [
        (w["quantity"]["containerType"], w["quantity"]["unitOfMeasurement"])
        for w in manifest["wastes"]
    ]
    for container, unit in pairs:
        assert container["description"] == CONTAINER_TYPE_BY_CODE[container["code"]].description
        assert unit["description"] == UNIT_OF_MEASURE_BY_CODE[unit["code"]].description
    return pairs


def test_seeded_manifests_carry_code_and_description(make_client: ClientFactory) -> None:
    client = make_client(GENERATOR_MANAGER)
    mtns = client.get_site_mtn("VATESTGEN001").json()
    assert mtns
    for mtn in mtns[:10]:
        manifest = client.get_manifest(mtn).json()
        assert _described(manifest), mtn


def test_a_code_sent_alone_is_stored_with_its_description(
    example_client: RcrainfoClient,
) -> None:
    sent = example("emanifest-save-valid-Full-Electronic-example.json")
    for waste in sent["wastes"]:
        quantity = waste["quantity"]
        quantity["containerType"] = {"code": quantity["containerType"]["code"]}
        quantity["unitOfMeasurement"] = {"code": quantity["unitOfMeasurement"]["code"]}
    report = example_client.save_manifest(sent)
    assert report.ok, report.text
    got = example_client.get_manifest(report.json()["manifestTrackingNumber"]).json()
    assert len(_described(got)) == len(sent["wastes"])
