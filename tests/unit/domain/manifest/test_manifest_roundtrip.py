"""Every published manifest decodes and encodes back to the same JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from haztrak.domain.manifest import (
    Manifest,
    ManifestHandlerSite,
    ManifestShapeError,
    Problem,
    Status,
    decode_manifest,
    encode_manifest,
)

FIXTURES = Path(__file__).parents[3] / "fixtures"
EXAMPLES = FIXTURES / "emanifest" / "examples"

MANIFEST_FILES = sorted(
    [
        *(
            path
            for path in EXAMPLES.glob("*.json")
            if (path.name.startswith(("emanifest-save-", "Scenario-")))
            and "response" not in path.name
            and "Site-Search" not in path.name
            and "UI-Link" not in path.name
        ),
        FIXTURES / "rcrainfo" / "100032524ELC.json",
        FIXTURES / "rcrainfo" / "manifest-100033134ELC.json",
    ]
)


def test_the_manifest_files_are_the_twelve_published_manifests() -> None:
    assert len(MANIFEST_FILES) == 12


@pytest.mark.parametrize("path", MANIFEST_FILES, ids=lambda path: path.name)
def test_decoding_then_encoding_gives_back_the_same_json(path: Path) -> None:
    raw = path.read_bytes()

    manifest = decode_manifest(raw)

    assert json.loads(encode_manifest(manifest)) == json.loads(raw)


def test_decoding_accepts_text_as_well_as_bytes() -> None:
    raw = (FIXTURES / "rcrainfo" / "100032524ELC.json").read_text()

    assert decode_manifest(raw) == decode_manifest(raw.encode())


def test_the_manifest_the_original_haztrak_sent_is_not_a_manifest_epa_accepts() -> None:
    """The original project sent a state as a JSON-encoded string and codes without objects;
    e-Manifest's schema refuses those, and so do we, naming each place."""
    raw = (FIXTURES / "rcrainfo" / "manifest_from_haztrak.json").read_bytes()

    with pytest.raises(ManifestShapeError) as refused:
        decode_manifest(raw)

    assert refused.value.problems == [
        Problem("generator.siteAddress.state", "must be an object"),
        Problem("generator.mailingAddress.state", "must be an object"),
        Problem("wastes.0.quantity.containerType", "must be an object"),
        Problem("wastes.0.quantity.unitOfMeasurement", "must be an object"),
    ]


def test_the_import_flag_keeps_its_json_name() -> None:
    manifest = Manifest(import_=True, status=Status.PENDING)

    assert json.loads(encode_manifest(manifest)) == {"import": True, "status": "Pending"}
    assert decode_manifest(b'{"import": false}').import_ is False


def test_empty_lists_and_missing_lists_stay_apart() -> None:
    raw = b'{"transporters": [], "wastes": [{"lineNumber": 1, "dotHazardous": false,'
    raw += b' "epaWaste": false, "pcb": false, "br": false, "pcbInfos": []}]}'

    assert json.loads(encode_manifest(decode_manifest(raw))) == json.loads(raw)


def test_numbers_keep_their_int_or_float_type_both_ways() -> None:
    manifest = Manifest(generator=ManifestHandlerSite(order=1.5))
    decoded = decode_manifest(b'{"generator": {"order": 2}, "transporters": [{"order": 2.0}]}')

    assert encode_manifest(manifest) == b'{"generator":{"order":1.5}}'
    assert decoded.generator is not None
    assert type(decoded.generator.order) is int
    assert decoded.transporters is not None
    assert type(decoded.transporters[0].order) is float
