"""The lookup data the sandbox serves and validates against.

Waste codes and DOT lists come from the packaged seed data (`haztrak.resources/lookups`); the
code lists the manifest domain validates with (containers, units, H codes, form and source
codes, load types, density units) come from `haztrak.domain.manifest.codes`; the rest (MTN
suffixes, waste minimization codes, ports of entry) are written out here. The DOT table that
answers the by-name and by-ID lookups is a curated subset of 49 CFR 172.101: the hazardous
materials that waste manifests name most often.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import msgspec

from haztrak.domain.manifest import codes
from haztrak.domain.manifest.model import CodeDescription

CodeList = tuple[tuple[str, str], ...]


def _pairs(entries: tuple[CodeDescription, ...]) -> CodeList:
    return tuple((entry.code, entry.description or "") for entry in entries)


# The domain's copies of EPA's lists, so that the sandbox answers what the domain validates.
CONTAINER_TYPES = _pairs(codes.CONTAINER_TYPES)
QUANTITY_UOM = _pairs(codes.UNITS_OF_MEASURE)
LOAD_TYPES = _pairs(codes.LOAD_TYPES)
MANAGEMENT_METHODS = _pairs(codes.MANAGEMENT_METHODS)
FORM_CODES = _pairs(codes.FORM_CODES)
SOURCE_CODES = _pairs(codes.SOURCE_CODES)
DENSITY_UOM = _pairs(codes.DENSITY_UNITS)

MTN_SUFFIXES: CodeList = (
    ("ELC", "Electronic Manifest"),
    ("CTN", "Nutmeg Environmental"),
    ("DAT", "Databar Inc."),
    ("FLE", "The Flesh Company"),
    ("GBF", "Genoa Business Forms"),
    ("GRR", "Giant Resource Recovery"),
    ("JJK", "J.J. Keller & Associates, Inc."),
    ("MWI", "RR Donnelley"),
    ("PSC", "PSC, LLC"),
)
"""The suffixes RCRAInfo's documentation lists: ELC and the registered form printers."""

WASTE_MINIMIZATION_CODES: CodeList = (
    ("N", "CONTINUATION OF WASTE MINIMIZATION EFFORTS INITIATED IN A PREVIOUS YEAR"),
    ("R", "RECYCLING ON-SITE WAS IMPLEMENTED"),
    ("S", "SOURCE REDUCTION WAS IMPLEMENTED"),
    ("X", "NO WASTE MINIMIZATION EFFORTS WERE IMPLEMENTED FOR THIS WASTE"),
    ("Y", "SOURCE REDUCTION AND RECYCLING WERE IMPLEMENTED"),
)

PORTS_OF_ENTRY: tuple[tuple[str, str, str], ...] = (
    ("Blaine", "WA", "WASHINGTON"),
    ("Brownsville", "TX", "TEXAS"),
    ("Buffalo", "NY", "NEW YORK"),
    ("Calexico", "CA", "CALIFORNIA"),
    ("Champlain", "NY", "NEW YORK"),
    ("Detroit", "MI", "MICHIGAN"),
    ("El Paso", "TX", "TEXAS"),
    ("Laredo", "TX", "TEXAS"),
    ("New York", "NY", "NEW YORK"),
    ("Nogales", "AZ", "ARIZONA"),
    ("Otay Mesa", "CA", "CALIFORNIA"),
    ("Port Huron", "MI", "MICHIGAN"),
    ("Seattle", "WA", "WASHINGTON"),
)

US_STATES: dict[str, str] = {
    "AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA",
    "CO": "COLORADO", "CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICT OF COLUMBIA",
    "FL": "FLORIDA", "GA": "GEORGIA", "HI": "HAWAII", "ID": "IDAHO", "IL": "ILLINOIS",
    "IN": "INDIANA", "IA": "IOWA", "KS": "KANSAS", "KY": "KENTUCKY", "LA": "LOUISIANA",
    "ME": "MAINE", "MD": "MARYLAND", "MA": "MASSACHUSETTS", "MI": "MICHIGAN", "MN": "MINNESOTA",
    "MS": "MISSISSIPPI", "MO": "MISSOURI", "MT": "MONTANA", "NE": "NEBRASKA", "NV": "NEVADA",
    "NH": "NEW HAMPSHIRE", "NJ": "NEW JERSEY", "NM": "NEW MEXICO", "NY": "NEW YORK",
    "NC": "NORTH CAROLINA", "ND": "NORTH DAKOTA", "OH": "OHIO", "OK": "OKLAHOMA", "OR": "OREGON",
    "PA": "PENNSYLVANIA", "RI": "RHODE ISLAND", "SC": "SOUTH CAROLINA", "SD": "SOUTH DAKOTA",
    "TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT", "VA": "VIRGINIA",
    "WA": "WASHINGTON", "WV": "WEST VIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING",
    "PR": "PUERTO RICO", "GU": "GUAM", "VI": "VIRGIN ISLANDS", "AS": "AMERICAN SAMOA",
    "MP": "NORTHERN MARIANA ISLANDS", "NN": "NAVAJO NATION",
}  # fmt: skip


class DotEntry(msgspec.Struct, frozen=True):
    """One row of the hazardous materials table: name, ID, class, packing groups."""

    psn: str
    id_number: str
    hazard_class: str
    packing_groups: tuple[str, ...] = ()


DOT_TABLE: tuple[DotEntry, ...] = (
    DotEntry("Acetone", "UN1090", "3", ("II",)),
    DotEntry("Aerosols", "UN1950", "2.1"),
    DotEntry("Batteries, wet, filled with acid", "UN2794", "8"),
    DotEntry("Chlorates, inorganic, aqueous solution n.o.s", "UN3210", "5.1", ("II", "III")),
    DotEntry("Combustible liquid n.o.s.", "NA1993", "Comb liq", ("III",)),
    DotEntry("Corrosive liquid, acidic, inorganic n.o.s", "UN3264", "8", ("I", "II", "III")),
    DotEntry("Corrosive liquid, basic, inorganic n.o.s", "UN3266", "8", ("I", "II", "III")),
    DotEntry("Diesel fuel", "NA1993", "3", ("III",)),
    DotEntry("Diesel fuel", "UN1202", "3", ("III",)),
    DotEntry("Environmentally hazardous substance, liquid n.o.s.", "UN3082", "9", ("III",)),
    DotEntry("Environmentally hazardous substance, solid n.o.s", "UN3077", "9", ("III",)),
    DotEntry("Ethanol", "UN1170", "3", ("II", "III")),
    DotEntry("Flammable liquids, toxic n.o.s.", "UN1992", "3", ("I", "II", "III")),
    DotEntry("Gasoline", "UN1203", "3", ("II",)),
    DotEntry("Hazardous waste, liquid n.o.s.", "NA3082", "9", ("III",)),
    DotEntry("Hazardous waste, solid n.o.s.", "NA3077", "9", ("III",)),
    DotEntry("Hydrochloric acid", "UN1789", "8", ("II", "III")),
    DotEntry("Isopropanol", "UN1219", "3", ("II",)),
    DotEntry("Mercury", "UN2809", "8", ("III",)),
    DotEntry("Methanol", "UN1230", "3", ("II",)),
    DotEntry("Paint", "UN1263", "3", ("I", "II", "III")),
    DotEntry("Polychlorinated biphenyls liquid", "UN2315", "9", ("II",)),
    DotEntry("Polychlorinated biphenyls solid", "UN3432", "9", ("II",)),
    DotEntry("Sodium hydroxide solution", "UN1824", "8", ("II", "III")),
    DotEntry("Sulfuric acid", "UN1830", "8", ("II",)),
    DotEntry("Sulfuric acid spent", "UN1832", "8", ("II",)),
    DotEntry("Tetrachloroethylene", "UN1897", "6.1", ("III",)),
    DotEntry("Toluene", "UN1294", "3", ("II",)),
    DotEntry("Trichloroethylene", "UN1710", "6.1", ("III",)),
    DotEntry("Xylenes", "UN1307", "3", ("II", "III")),
)

NO_ID_NUMBER = "NOID"
"""What e-Manifest requires as the ID of a proper shipping name that has none."""


def code_descriptions(codes: CodeList) -> list[dict[str, str]]:
    return [{"code": code, "description": description} for code, description in codes]


def codes_of(codes: CodeList) -> frozenset[str]:
    return frozenset(code for code, _ in codes)


def ports_of_entry() -> list[dict[str, Any]]:
    return [
        {"cityPort": city, "state": {"code": code, "name": name}}
        for city, code, name in PORTS_OF_ENTRY
    ]


def _resource_json(name: str) -> Any:
    text = (
        resources.files("haztrak.resources").joinpath("lookups").joinpath(name).read_text("utf-8")
    )
    return json.loads(text)


@functools.cache
def federal_waste_codes() -> tuple[tuple[str, str], ...]:
    return tuple(
        (row["code"], row["description"]) for row in _resource_json("federal-waste-codes.json")
    )


@functools.cache
def state_waste_codes() -> tuple[tuple[str, str, str], ...]:
    """(state, code, description) rows."""
    rows = _resource_json("state-waste-codes.json")
    return tuple((row["state"], row["code"], row["description"]) for row in rows)


@functools.cache
def dot_id_numbers() -> tuple[str, ...]:
    return tuple(_resource_json("dot-id-numbers.json"))


@functools.cache
def dot_id_number_set() -> frozenset[str]:
    return frozenset(dot_id_numbers()) | {entry.id_number for entry in DOT_TABLE}


@functools.cache
def proper_shipping_names() -> tuple[str, ...]:
    """Names in the seed data, without its duplicates, in their first order."""
    names: list[str] = list(_resource_json("dot-shipping-names.json"))
    names.extend(entry.psn for entry in DOT_TABLE)
    return tuple(dict.fromkeys(names))


@functools.cache
def hazard_classes() -> tuple[str, ...]:
    return tuple(_resource_json("dot-hazard-classes.json"))


@functools.cache
def packing_groups() -> tuple[str, ...]:
    return tuple(_resource_json("dot-packing-groups.json"))


def needs_technical_name(psn: str) -> bool:
    """An n.o.s. ("not otherwise specified") entry must be followed by a technical name."""
    return "n.o.s" in psn.lower()
