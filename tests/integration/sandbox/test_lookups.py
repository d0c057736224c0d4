"""Every lookup the client offers, in the shapes RCRAInfo answers with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox.schema import schema_problems
from tests.integration.sandbox.support import GENERATOR_MANAGER, ClientFactory

Lookup = Callable[[RcrainfoClient], Any]

VALUE_LISTS: dict[str, tuple[Lookup, str]] = {
    "hazard classes": (RcrainfoClient.get_hazard_classes, "3"),
    "packing groups": (RcrainfoClient.get_packing_groups, "II"),
    "id numbers": (RcrainfoClient.get_id_numbers, "NA1993"),
}
CODE_LISTS: dict[str, tuple[Lookup, str]] = {
    "container types": (RcrainfoClient.get_container_types, "DM"),
    "quantity units": (RcrainfoClient.get_quantity_uom, "G"),
    "load types": (RcrainfoClient.get_load_types, "BulkWaste"),
    "MTN suffixes": (RcrainfoClient.get_mtn_suffix, "ELC"),
    "all MTN suffixes": (RcrainfoClient.get_mtn_suffix_all, "JJK"),
    "federal waste codes": (RcrainfoClient.get_fed_waste_codes, "D001"),
    "state waste codes": (lambda c: c.get_state_waste_codes("VA"), "BCRUSH"),
    "management methods": (RcrainfoClient.get_man_method_codes, "H141"),
    "form codes": (RcrainfoClient.get_form_codes, "W103"),
    "source codes": (RcrainfoClient.get_source_codes, "G05"),
    "waste minimization codes": (RcrainfoClient.get_waste_min_codes, "X"),
    "density units": (RcrainfoClient.get_density_uom, "1"),
}


@pytest.fixture
def client(make_client: ClientFactory) -> RcrainfoClient:
    return make_client(GENERATOR_MANAGER)


@pytest.mark.parametrize("name", VALUE_LISTS)
def test_value_lookups_are_lists_of_strings(client: RcrainfoClient, name: str) -> None:
    lookup, member = VALUE_LISTS[name]
    values = lookup(client).json()
    assert schema_problems(values, "values.json") == []
    assert member in values


@pytest.mark.parametrize("name", CODE_LISTS)
def test_code_lookups_are_codes_with_descriptions(client: RcrainfoClient, name: str) -> None:
    lookup, member = CODE_LISTS[name]
    entries = lookup(client).json()
    assert schema_problems(entries, "code-descriptions.json") == []
    assert member in {entry["code"] for entry in entries}
    assert all(entry["description"] for entry in entries)


def test_shipping_names_and_ports_have_their_own_shapes(client: RcrainfoClient) -> None:
    names = client.get_shipping_names().json()
    assert {"psn": "Acetone", "technicalNameIndicator": False} in names
    assert {"psn": "Hazardous waste, liquid n.o.s.", "technicalNameIndicator": True} in names
    ports = client.get_entry_ports().json()
    assert {"cityPort": "New York", "state": {"code": "NY", "name": "NEW YORK"}} in ports


def test_dot_lookups_by_name_and_by_id(client: RcrainfoClient) -> None:
    assert client.get_id_by_ship_name("Diesel fuel").json() == ["NA1993", "UN1202"]
    assert client.get_ship_name_by_id("UN1090").json() == ["Acetone"]
    assert client.get_haz_class_sn_id("Acetone", "UN1090").json() == ["3"]
    assert client.get_pack_groups_sn_id("Hydrochloric acid", "UN1789").json() == ["II", "III"]


def test_dot_lookups_refuse_like_epa(client: RcrainfoClient) -> None:
    cases: dict[str, Callable[[], Any]] = {
        "E_InvalidIdNumber": lambda: client.get_ship_name_by_id("XX12"),
        "E_IdNumberNotFound": lambda: client.get_ship_name_by_id("UN0000"),
        "E_ProperShippingNameNotFound": lambda: client.get_id_by_ship_name("Unobtainium"),
        "E_InvalidProperShippingName": lambda: client.get_id_by_ship_name("x" * 301),
        "E_CombinationProperShippingNameIdNumberNotFound": (
            lambda: client.get_haz_class_sn_id("Acetone", "UN1203")
        ),
    }
    for code, call in cases.items():
        response = call()
        assert not response.ok
        assert response.json()["code"] == code


def test_state_waste_codes_need_a_state(client: RcrainfoClient) -> None:
    assert client.get_state_waste_codes("TX").json() == []
    assert client.get_state_waste_codes("XX").json()["code"] == "E_InvalidStateCode"
