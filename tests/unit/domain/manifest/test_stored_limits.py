"""What a manifest must be to be stored: no NUL anywhere, a transporter order that fits its
column, and JSON a decoder can read without running out of stack."""

from __future__ import annotations

import pytest
from tests.manifest_documents import manifest_document

from haztrak.domain.manifest import ManifestShapeError, decode_manifest, schema_problems


def problems_of(document: object) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in schema_problems(document)]


def test_a_nul_in_any_text_is_named() -> None:
    document = manifest_document()
    document["generator"]["siteAddress"]["city"] = "Rich\x00mond"
    document["wastes"][1]["dotInformation"]["printedDotInformation"] = "\x00"

    assert problems_of(document) == [
        ("generator.siteAddress.city", "must not contain the NUL character"),
        ("wastes.1.dotInformation.printedDotInformation", "must not contain the NUL character"),
    ]


def test_text_that_only_looks_like_a_nul_is_fine() -> None:
    document = manifest_document()
    document["generator"]["name"] = "back\\u0000slash"

    assert problems_of(document) == []


def test_a_nul_in_what_an_open_object_keeps_is_named() -> None:
    document = manifest_document()
    document["correctionRequests"] = [
        {"stateUser": {"note\x00": "x", "extra": [{"deep": ["ok", "bad\x00"]}]}}
    ]

    assert problems_of(document) == [
        ("correctionRequests.0.stateUser.note\x00", "a key must not contain the NUL character"),
        (
            "correctionRequests.0.stateUser.extra.0.deep.1",
            "must not contain the NUL character",
        ),
    ]


def test_a_nul_in_a_choice_is_not_a_choice() -> None:
    document = manifest_document(status="Signed\x00")

    assert [field for field, _ in problems_of(document)] == ["status"]


@pytest.mark.parametrize("order", [2**31, -(2**31) - 1, 2**63, 1e300])
def test_a_transporter_order_fits_a_32_bit_column(order: float) -> None:
    document = manifest_document()
    document["transporters"][1]["order"] = order

    assert problems_of(document) == [
        ("transporters.1.order", "must be between -2147483648 and 2147483647")
    ]


@pytest.mark.parametrize("order", [1, 2.0, 2**31 - 1, -(2**31)])
def test_orders_within_the_column_pass(order: float) -> None:
    document = manifest_document()
    document["transporters"][1]["order"] = order

    assert problems_of(document) == []


def test_json_nested_too_deeply_is_a_shape_problem() -> None:
    deep = b'{"a":' * 5_000 + b"1" + b"}" * 5_000

    with pytest.raises(ManifestShapeError) as caught:
        decode_manifest(deep)

    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("", "is nested too deeply to be a manifest")
    ]
