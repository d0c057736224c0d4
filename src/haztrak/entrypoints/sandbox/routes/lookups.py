"""The e-Manifest and RCRA lookup services."""

from __future__ import annotations

import re
from typing import Any

from litestar import get

from haztrak.entrypoints.sandbox import lookups
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.lookups import DOT_TABLE, DotEntry
from haztrak.entrypoints.sandbox.sites import check_state_code

ID_NUMBER = re.compile(r"^(?:UN|NA)\d{4}$")
MAX_PSN = 300
NOT_FOUND = 404
EMANIFEST = "/emanifest/lookup"
RCRA = "/lookup"


@get(f"{EMANIFEST}/hazard-classes", sync_to_thread=False)
def hazard_classes() -> list[str]:
    return list(lookups.hazard_classes())


@get(f"{EMANIFEST}/packing-groups", sync_to_thread=False)
def packing_groups() -> list[str]:
    return list(lookups.packing_groups())


@get(f"{EMANIFEST}/id-numbers", sync_to_thread=False)
def id_numbers() -> list[str]:
    return list(lookups.dot_id_numbers())


@get(f"{EMANIFEST}/proper-shipping-names", sync_to_thread=False)
def proper_shipping_names() -> list[dict[str, Any]]:
    return [
        {"psn": psn, "technicalNameIndicator": lookups.needs_technical_name(psn)}
        for psn in lookups.proper_shipping_names()
    ]


@get(f"{EMANIFEST}/container-types", sync_to_thread=False)
def container_types() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.CONTAINER_TYPES)


@get(f"{EMANIFEST}/quantity-uom", sync_to_thread=False)
def quantity_uom() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.QUANTITY_UOM)


@get(f"{EMANIFEST}/load-types", sync_to_thread=False)
def load_types() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.LOAD_TYPES)


@get(f"{EMANIFEST}/printed-tracking-number-suffixes", sync_to_thread=False)
def mtn_suffixes() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.MTN_SUFFIXES)


@get(f"{EMANIFEST}/printed-tracking-number-suffixes-ALL", sync_to_thread=False)
def mtn_suffixes_all() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.MTN_SUFFIXES)


def _check_psn(psn: str) -> str:
    if not psn or len(psn) > MAX_PSN:
        raise RcraError("E_InvalidProperShippingName", "Invalid Proper Shipping Name")
    return psn


def _check_id(id_number: str) -> str:
    if not ID_NUMBER.fullmatch(id_number):
        raise RcraError("E_InvalidIdNumber", "Invalid Id Number")
    return id_number


def _known_psn(psn: str) -> str:
    if psn not in lookups.proper_shipping_names():
        raise RcraError("E_ProperShippingNameNotFound", "Proper Shipping Name Not Found", NOT_FOUND)
    return psn


def _known_id(id_number: str) -> str:
    if id_number not in lookups.dot_id_number_set():
        raise RcraError("E_IdNumberNotFound", "Id Number not found", NOT_FOUND)
    return id_number


def _combination(psn: str, id_number: str) -> DotEntry:
    _known_psn(_check_psn(psn))
    _known_id(_check_id(id_number))
    entry = next((e for e in DOT_TABLE if e.psn == psn and e.id_number == id_number), None)
    if entry is None:
        raise RcraError(
            "E_CombinationProperShippingNameIdNumberNotFound",
            "Combination of Proper Shipping Name and Id Number was not found",
            NOT_FOUND,
        )
    return entry


@get(
    f"{EMANIFEST}/hazard-class-by-shipping-name-id-number/{{psn:str}}/{{id_number:str}}",
    sync_to_thread=False,
)
def hazard_class_by_name_and_id(psn: str, id_number: str) -> list[str]:
    return [_combination(psn, id_number).hazard_class]


@get(
    f"{EMANIFEST}/packing-groups-by-shipping-name-id-number/{{psn:str}}/{{id_number:str}}",
    sync_to_thread=False,
)
def packing_groups_by_name_and_id(psn: str, id_number: str) -> list[str]:
    return list(_combination(psn, id_number).packing_groups)


@get(f"{EMANIFEST}/id-numbers-by-shipping-name/{{psn:str}}", sync_to_thread=False)
def id_numbers_by_name(psn: str) -> list[str]:
    _known_psn(_check_psn(psn))
    return list(dict.fromkeys(e.id_number for e in DOT_TABLE if e.psn == psn))


@get(f"{EMANIFEST}/proper-shipping-names-by-id-number/{{id_number:str}}", sync_to_thread=False)
def names_by_id(id_number: str) -> list[str]:
    _known_id(_check_id(id_number))
    return list(dict.fromkeys(e.psn for e in DOT_TABLE if e.id_number == id_number))


@get(f"{RCRA}/federal-waste-codes", sync_to_thread=False)
def federal_waste_codes() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.federal_waste_codes())


@get(f"{RCRA}/state-waste-codes/{{state_code:str}}", sync_to_thread=False)
def state_waste_codes(state_code: str) -> list[dict[str, str]]:
    code = check_state_code(state_code)
    return [
        {"code": waste_code, "description": description}
        for state, waste_code, description in lookups.state_waste_codes()
        if state == code
    ]


@get(f"{RCRA}/management-method-codes", sync_to_thread=False)
def management_method_codes() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.MANAGEMENT_METHODS)


@get(f"{RCRA}/form-codes", sync_to_thread=False)
def form_codes() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.FORM_CODES)


@get(f"{RCRA}/source-codes", sync_to_thread=False)
def source_codes() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.SOURCE_CODES)


@get(f"{RCRA}/waste-minimization-codes", sync_to_thread=False)
def waste_minimization_codes() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.WASTE_MINIMIZATION_CODES)


@get(f"{RCRA}/density-uom", sync_to_thread=False)
def density_uom() -> list[dict[str, str]]:
    return lookups.code_descriptions(lookups.DENSITY_UOM)


@get(f"{RCRA}/ports-of-entry", sync_to_thread=False)
def ports_of_entry() -> list[dict[str, Any]]:
    return lookups.ports_of_entry()


ROUTES = [
    hazard_classes, packing_groups, id_numbers, proper_shipping_names, container_types,
    quantity_uom, load_types, mtn_suffixes, mtn_suffixes_all, hazard_class_by_name_and_id,
    packing_groups_by_name_and_id, id_numbers_by_name, names_by_id, federal_waste_codes,
    state_waste_codes, management_method_codes, form_codes, source_codes,
    waste_minimization_codes, density_uom, ports_of_entry,
]  # fmt: skip
