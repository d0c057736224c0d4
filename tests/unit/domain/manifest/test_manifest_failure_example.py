"""EPA's published failure report, reproduced: our shape check finds the problems e-Manifest
reported for a manifest with a legacy-format waste line.

How EPA's `errors[].field` maps to our `Problem.field`:

- drop the `Emanifest.` prefix; list indices and dots are the same (`wastes.0.br`);
- EPA reports the keys an object must not have ("properties which are not allowed by the
  schema: [...]") and the keys it lacks ("missing required properties ([...])") once, at the
  object; we report each key at its own path, so `Emanifest.wastes.0` with `["hazardous"]`
  becomes `wastes.0.hazardous`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from haztrak.domain.manifest import ManifestShapeError, decode_manifest

REPORT = (
    Path(__file__).parents[3] / "fixtures/emanifest/examples/emanifest-return-failure-example.json"
)
_LISTED_KEYS = re.compile(r"\[([^\]]*)\]")


def our_fields(epa_error: dict[str, str]) -> set[str]:
    field = epa_error["field"].removeprefix("Emanifest.")
    message = epa_error["message"]
    if "not allowed by the schema" in message or "missing required properties" in message:
        [listed] = _LISTED_KEYS.findall(message)
        keys = [key.strip().strip('"') for key in listed.split(",")]
        return {f"{field}.{key}" for key in keys}
    return {field}


def legacy_waste_line() -> dict[str, Any]:
    """A waste line in the format e-Manifest used before the current schema."""
    return {
        "hazardous": True,
        "lineNumber": 1,
        "br": {"formCode": {"code": "W103"}, "sourceCode": {"code": "G05"}},
        "brInfo": False,
        "dotInformation": {
            "idNumber": {"code": "UN1993"},
            "printedDotInformation": "UN1993, Waste Flammable liquids, n.o.s., 3, II",
            "emergencyGuideNumber": "128",
            "hazardClass": "3",
            "packingGroup": "II",
            "properShippingName": "Flammable liquids, n.o.s.",
            "rqDescription": "RQ",
            "technicalName": "Acetone",
        },
        "quantity": {
            "containerNumber": 1,
            "containerType": {"code": "DM"},
            "quantity": 55.5,
            "unitOfMeasurement": {"code": "G"},
        },
    }


def test_the_report_maps_to_our_fields() -> None:
    report = json.loads(REPORT.read_bytes())

    mapped = set().union(*(our_fields(error) for error in report["errors"]))

    assert mapped == {
        "wastes.0.hazardous",
        "wastes.0.dotHazardous",
        "wastes.0.epaWaste",
        "wastes.0.pcb",
        "wastes.0.br",
        "wastes.0.brInfo",
        "wastes.0.dotInformation.emergencyGuideNumber",
        "wastes.0.dotInformation.hazardClass",
        "wastes.0.dotInformation.packingGroup",
        "wastes.0.dotInformation.properShippingName",
        "wastes.0.dotInformation.rqDescription",
        "wastes.0.dotInformation.technicalName",
        "wastes.0.quantity.quantity",
    }


def test_we_report_what_e_manifest_reported_and_nothing_else(documents: Any) -> None:
    report = json.loads(REPORT.read_bytes())
    document = documents.baseline("electronic")
    document["wastes"] = [legacy_waste_line()]

    with pytest.raises(ManifestShapeError) as refused:
        decode_manifest(json.dumps(document))

    expected = set().union(*(our_fields(error) for error in report["errors"]))
    assert {problem.field for problem in refused.value.problems} == expected
    assert len(refused.value.problems) == len(expected)
