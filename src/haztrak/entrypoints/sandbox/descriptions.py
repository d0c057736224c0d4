"""The descriptions e-Manifest writes next to a waste line's codes.

A client may send a container type or a unit of measurement by its code alone; the manifest
e-Manifest keeps, and answers with, carries the code and EPA's description of it
(`{"code": "CM", "description": "Metal boxes, cartons, cases (including roll offs)"}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from haztrak.domain.manifest import CodeDescription
from haztrak.domain.manifest.codes import CONTAINER_TYPE_BY_CODE, UNIT_OF_MEASURE_BY_CODE

_DESCRIBED: tuple[tuple[str, Mapping[str, CodeDescription]], ...] = (
    ("containerType", CONTAINER_TYPE_BY_CODE),
    ("unitOfMeasurement", UNIT_OF_MEASURE_BY_CODE),
)


def code_description(known: Mapping[str, CodeDescription], code: str) -> dict[str, str]:
    """`{code, description}` as e-Manifest writes it for a code of the list `known`."""
    return {"code": code, "description": known[code].description or ""}


def describe_codes(document: dict[str, Any]) -> None:
    """Give every known container type and unit of measurement sent without a description
    EPA's description, in place. A description sent stays as it is, and unknown codes and
    malformed parts are left for the review to report."""
    wastes = document.get("wastes")
    for waste in wastes if isinstance(wastes, list) else ():
        quantity = waste.get("quantity") if isinstance(waste, dict) else None
        if not isinstance(quantity, dict):
            continue
        for key, known in _DESCRIBED:
            entry = quantity.get(key)
            if not isinstance(entry, dict) or entry.get("description"):
                continue
            code = entry.get("code")
            if isinstance(code, str) and code in known:
                quantity[key] = code_description(known, code)
