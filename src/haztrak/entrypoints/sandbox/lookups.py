"""The lookup data the sandbox serves and validates against.

Waste codes and DOT lists come from the packaged seed data (`haztrak.resources/lookups`); the
short code lists (containers, units, H-codes, form and source codes, ...) are EPA's, written out
here. The DOT table that answers the by-name and by-ID lookups is a curated subset of 49 CFR
172.101: the hazardous materials that waste manifests name most often.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import msgspec

CodeList = tuple[tuple[str, str], ...]

CONTAINER_TYPES: CodeList = (
    ("BA", "Burlap, cloth, paper, or plastic bags"),
    ("DT", "Dump truck"),
    ("CF", "Fiber or plastic boxes, cartons, cases"),
    ("DW", "Wooden drums, barrels, kegs"),
    ("CM", "Metal boxes, cartons, cases (including roll offs)"),
    ("HG", "Hopper or gondola cars"),
    ("CW", "Wooden boxes, cartons, cases"),
    ("TC", "Tank cars"),
    ("CY", "Cylinders"),
    ("TP", "Portable tanks"),
    ("DF", "Fiberboard or plastic drums, barrels, kegs"),
    ("TT", "Cargo tanks (tank trucks)"),
    ("DM", "Metal drums, barrels, kegs"),
)

QUANTITY_UOM: CodeList = (
    ("P", "Pounds"),
    ("T", "Tons (2000 Pounds)"),
    ("K", "Kilograms"),
    ("M", "Metric Tons (1000 Kilograms)"),
    ("G", "Gallons"),
    ("L", "Liters"),
    ("Y", "Cubic Yards"),
    ("N", "Cubic Meters"),
)

LOAD_TYPES: CodeList = (
    ("ArticleInContainer", "Article in Container"),
    ("ArticleNotInContainer", "Article Not in Container"),
    ("BulkWaste", "Bulk Waste"),
    ("Container", "Container"),
)

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

MANAGEMENT_METHODS: CodeList = (
    ("H010", "METALS RECOVERY"),
    ("H020", "SOLVENTS RECOVERY"),
    ("H039", "OTHER RECOVERY OR RECLAMATION FOR REUSE"),
    ("H040", "INCINERATION"),
    ("H050", "ENERGY RECOVERY AT THIS SITE"),
    ("H061", "FUEL BLENDING PRIOR TO ENERGY RECOVERY AT ANOTHER SITE"),
    ("H070", "CHEMICAL TREATMENT"),
    ("H081", "BIOLOGICAL TREATMENT"),
    ("H100", "PHYSICAL TREATMENT"),
    ("H110", "STABILIZATION PRIOR TO LAND DISPOSAL"),
    ("H111", "STABILIZATION/CHEMICAL FIXATION"),
    ("H120", "COMBINATION OF CHEMICAL, BIOLOGICAL, AND/OR PHYSICAL TREATMENT"),
    ("H121", "NEUTRALIZATION ONLY"),
    ("H122", "EVAPORATION"),
    ("H129", "OTHER TREATMENT"),
    ("H131", "LAND TREATMENT OR APPLICATION"),
    ("H132", "LANDFILL (WITH PRIOR TREATMENT AND/OR STABILIZATION)"),
    ("H134", "DEEP WELL OR UNDERGROUND INJECTION"),
    ("H135", "DISCHARGE TO SEWER/POTW OR NPDES"),
    ("H141", "STORAGE, BULKING AND/OR TRANSFER OFF SITE"),
)

FORM_CODES: CodeList = (
    ("W001", "LAB PACKS FROM ANY SOURCE NOT CONTAINING ACUTE HAZARDOUS WASTE"),
    ("W004", "LAB PACKS FROM ANY SOURCE CONTAINING ACUTE HAZARDOUS WASTE"),
    ("W101", "VERY DILUTE AQUEOUS WASTE CONTAINING MORE THAN 99% WATER"),
    ("W103", "SPENT CONCENTRATED ACID"),
    ("W105", "ACID AND ORGANIC MIXTURE"),
    ("W200", "STILL BOTTOMS IN LIQUID FORM"),
    ("W202", "CONCENTRATED SOLVENT-WATER SOLUTION"),
    ("W203", "HALOGENATED SOLVENT"),
    ("W204", "NONHALOGENATED SOLVENT"),
    ("W206", "OILY WASTES"),
    ("W209", "PAINT, INK, LACQUER, OR VARNISH"),
    ("W301", "CONTAMINATED SOIL"),
    ("W309", "BATTERIES OR BATTERY PARTS, CASINGS, CORES"),
    ("W310", "SPENT SOLID FILTERS OR ADSORBENTS"),
    ("W512", "SLUDGE FROM WASTEWATER TREATMENT"),
)

SOURCE_CODES: CodeList = (
    ("G01", "DIP, FLUSH OR SPRAY RINSING"),
    ("G02", "STRIPPING AND ACID OR CAUSTIC CLEANING"),
    ("G03", "PLATING AND PHOSPHATING"),
    ("G04", "ETCHING"),
    ("G05", "METAL FORMING AND TREATMENT"),
    ("G06", "PAINTING AND COATING"),
    ("G07", "PRODUCT AND BY-PRODUCT PROCESSING"),
    ("G08", "REMOVAL OF SPENT PROCESS LIQUIDS OR CATALYSTS"),
    ("G09", "OTHER PRODUCTION OR SERVICE-RELATED PROCESSES"),
    ("G11", "DISCARDING OFF-SPECIFICATION OR OUT-OF-DATE CHEMICALS OR PRODUCTS"),
    ("G12", "LAB PACKS FROM LABORATORY RESEARCH"),
    ("G13", "OTHER ONE-TIME OR INTERMITTENT PROCESSES"),
    ("G14", "REMEDIATION OF PAST CONTAMINATION"),
)

WASTE_MINIMIZATION_CODES: CodeList = (
    ("N", "CONTINUATION OF WASTE MINIMIZATION EFFORTS INITIATED IN A PREVIOUS YEAR"),
    ("R", "RECYCLING ON-SITE WAS IMPLEMENTED"),
    ("S", "SOURCE REDUCTION WAS IMPLEMENTED"),
    ("X", "NO WASTE MINIMIZATION EFFORTS WERE IMPLEMENTED FOR THIS WASTE"),
    ("Y", "SOURCE REDUCTION AND RECYCLING WERE IMPLEMENTED"),
)

DENSITY_UOM: CodeList = (("1", "lbs/gal"), ("2", "sg"))

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
    return tuple((row["code"], row["description"]) for row in _resource_json("federal-waste-codes.json"))


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
