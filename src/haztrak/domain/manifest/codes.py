"""EPA's code lists for manifests, as data.

RCRAInfo's lookup services are the source of truth and can refresh them; these are the values
EPA publishes for the manifest form (8700-22) and the Biennial Report. Where a list here is a
subset of RCRAInfo's, its docstring says so and validation does not reject codes outside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from haztrak.domain.manifest.model import CodeDescription


def _entries(*pairs: tuple[str, str]) -> tuple[CodeDescription, ...]:
    return tuple(CodeDescription(code=code, description=description) for code, description in pairs)


def _index(entries: tuple[CodeDescription, ...]) -> Mapping[str, CodeDescription]:
    return MappingProxyType({entry.code: entry for entry in entries})


def codes_of(entries: tuple[CodeDescription, ...]) -> tuple[str, ...]:
    return tuple(entry.code for entry in entries)


CONTAINER_TYPES = _entries(
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
CONTAINER_TYPE_BY_CODE = _index(CONTAINER_TYPES)

UNITS_OF_MEASURE = _entries(
    ("P", "Pounds"),
    ("T", "Tons (2000 Pounds)"),
    ("K", "Kilograms"),
    ("M", "Metric Tons (1000 Kilograms)"),
    ("G", "Gallons"),
    ("L", "Liters"),
    ("Y", "Cubic Yards"),
    ("N", "Cubic Meters"),
)
UNIT_OF_MEASURE_BY_CODE = _index(UNITS_OF_MEASURE)
VOLUME_UNITS = frozenset({"G", "L", "Y", "N"})
"""Quantities in these units need a density in the Biennial Report information."""

DENSITY_UNITS = _entries(
    ("1", "lbs/gal"),
    ("2", "sg"),
)
DENSITY_UNIT_BY_CODE = _index(DENSITY_UNITS)

MANAGEMENT_METHODS = _entries(
    ("H010", "METALS RECOVERY"),
    ("H011", "MERCURY RECOVERY"),
    ("H020", "SOLVENTS RECOVERY"),
    ("H039", "OTHER RECOVERY OR RECLAMATION FOR REUSE"),
    ("H040", "INCINERATION"),
    ("H050", "ENERGY RECOVERY AT THIS SITE"),
    ("H061", "FUEL BLENDING"),
    ("H070", "CHEMICAL TREATMENT"),
    ("H077", "OTHER CHEMICAL PRECIPITATION WITH OR WITHOUT PRE-TREATMENT"),
    ("H081", "BIOLOGICAL TREATMENT"),
    ("H100", "PHYSICAL TREATMENT ONLY"),
    ("H101", "SLUDGE TREATMENT AND/OR DEWATERING"),
    ("H103", "ABSORPTION"),
    ("H110", "STABILIZATION PRIOR TO LAND DISPOSAL AT ANOTHER SITE"),
    ("H111", "STABILIZATION OR CHEMICAL FIXATION PRIOR TO DISPOSAL AT ANOTHER SITE"),
    ("H112", "MACRO-ENCAPSULATION PRIOR TO DISPOSAL AT ANOTHER SITE"),
    ("H120", "COMBINATION OF CHEMICAL, BIOLOGICAL, AND/OR PHYSICAL TREATMENT"),
    ("H121", "NEUTRALIZATION ONLY"),
    ("H122", "EVAPORATION"),
    ("H129", "OTHER TREATMENT"),
    ("H131", "LAND TREATMENT OR APPLICATION (WITH PRIOR TREATMENT AND/OR STABILIZATION)"),
    ("H132", "LANDFILL (WITH PRIOR TREATMENT AND/OR STABILIZATION)"),
    ("H134", "DEEPWELL OR UNDERGROUND INJECTION (WITH OR WITHOUT TREATMENT)"),
    ("H135", "DISCHARGE TO SEWER/POTW OR NPDES (WITH PRIOR STORAGE)"),
    ("H141", "STORAGE, BULKING AND/OR TRANSFER OFF SITE"),
)
"""Biennial Report management methods (H codes), in RCRAInfo's short descriptions."""
MANAGEMENT_METHOD_BY_CODE = _index(MANAGEMENT_METHODS)

FORM_CODES = _entries(
    ("W001", "LAB PACKS FROM ANY SOURCE NOT CONTAINING ACUTE HAZARDOUS WASTE"),
    ("W004", "LAB PACKS FROM ANY SOURCE CONTAINING ACUTE HAZARDOUS WASTE"),
    ("W005", "WASTE PHARMACEUTICALS MANAGED AS HAZARDOUS WASTE"),
    ("W101", "VERY DILUTE AQUEOUS WASTE CONTAINING MORE THAN 99% WATER"),
    ("W103", "SPENT CONCENTRATED ACID"),
    ("W105", "ACIDIC AQUEOUS WASTE"),
    ("W107", "AQUEOUS WASTE CONTAINING CYANIDES"),
    ("W110", "CAUSTIC AQUEOUS WASTE WITHOUT CYANIDES"),
    ("W113", "OTHER AQUEOUS WASTE OR WASTEWATERS"),
    ("W117", "WASTE LIQUID MERCURY"),
    ("W119", "OTHER INORGANIC LIQUID"),
    ("W200", "STILL BOTTOMS IN LIQUID FORM"),
    ("W202", "CONCENTRATED HALOGENATED (E.G. CHLORINATED) SOLVENT"),
    ("W203", "CONCENTRATED NON-HALOGENATED (E.G. NON-CHLORINATED) SOLVENT"),
    ("W204", "CONCENTRATED HALOGENATED/NON-HALOGENATED SOLVENT MIXTURE"),
    ("W205", "OIL-WATER EMULSION OR MIXTURE"),
    ("W206", "WASTE OIL MANAGED AS HAZARDOUS WASTE"),
    ("W209", "PAINT, INK, LACQUER, OR VARNISH"),
    ("W210", "REACTIVE OR POLYMERIZABLE ORGANIC LIQUIDS AND ADHESIVES"),
    ("W211", "PAINT THINNER OR PETROLEUM DISTILLATES"),
    ("W219", "OTHER ORGANIC LIQUID"),
    ("W301", "SOIL CONTAMINATED WITH ORGANICS"),
    ("W303", "SOIL CONTAMINATED WITH INORGANICS ONLY"),
    ("W304", "ASH, SLAG, OR OTHER RESIDUE FROM INCINERATION OF WASTES"),
    ("W307", "OTHER DRY ASH, SLAG, OR THERMAL RESIDUE"),
    ("W309", "DRY LIME OR METAL HYDROXIDE SOLIDS CHEMICALLY FIXED"),
    ("W310", "DRY LIME OR METAL HYDROXIDE SOLIDS NOT FIXED"),
    ("W312", "METAL SCALE, FILINGS, OR SCRAP"),
    ("W316", "EMPTY OR CRUSHED METAL DRUMS OR CONTAINERS"),
    ("W319", "OTHER INORGANIC SOLIDS"),
    ("W320", "BATTERIES OR BATTERY PARTS, CASINGS, CORES"),
    ("W321", "SPENT SOLID FILTERS OR ADSORBENTS"),
    ("W501", "LIME SLUDGE WITHOUT METALS"),
    ("W502", "LIME SLUDGE WITH METALS/METAL HYDROXIDE SLUDGE"),
    ("W503", "WASTEWATER TREATMENT SLUDGE WITH TOXIC ORGANICS"),
    ("W504", "OTHER WASTEWATER TREATMENT SLUDGE"),
    ("W505", "UNTREATED PLATING SLUDGE WITHOUT CYANIDES"),
    ("W506", "UNTREATED PLATING SLUDGE WITH CYANIDES"),
    ("W507", "OTHER SLUDGE WITH CYANIDES"),
    ("W508", "SLUDGE WITH REACTIVE SULFIDES"),
    ("W509", "SLUDGE WITH OTHER REACTIVES"),
    ("W510", "DEGREASING SLUDGE WITH METAL SCALE OR FILINGS"),
    ("W511", "AIR POLLUTION CONTROL DEVICE SLUDGE"),
    ("W512", "SEDIMENT OR LAGOON DRAGOUT CONTAMINATED WITH ORGANICS"),
    ("W513", "SEDIMENT OR LAGOON DRAGOUT CONTAMINATED WITH INORGANICS ONLY"),
    ("W514", "DRILLING MUD"),
    ("W515", "ASBESTOS SLURRY OR SLUDGE"),
    ("W516", "CHLORIDE OR OTHER BRINE SLUDGE"),
    ("W519", "OTHER INORGANIC SLUDGES"),
    ("W603", "STILL BOTTOMS OF HALOGENATED SOLVENTS OR OTHER ORGANIC LIQUIDS"),
    ("W604", "STILL BOTTOMS OF NON-HALOGENATED SOLVENTS OR OTHER ORGANIC LIQUIDS"),
    ("W606", "OILY SLUDGE"),
    ("W609", "PAINT OR INK SLUDGES, STILL BOTTOMS IN SLUDGE FORM"),
    ("W610", "REACTIVE OR POLYMERIZABLE ORGANICS"),
    ("W611", "RESINS, TARS, OR TARRY SLUDGE"),
    ("W612", "BIOLOGICAL TREATMENT SLUDGE"),
    ("W613", "SEWAGE OR OTHER UNTREATED BIOLOGICAL SLUDGE"),
    ("W619", "OTHER ORGANIC SLUDGES"),
    ("W801", "COMPRESSED GASES"),
)
"""A subset of the Biennial Report form codes; RCRAInfo's `form-codes` lookup has them all."""
FORM_CODE_BY_CODE = _index(FORM_CODES)

SOURCE_CODES = _entries(
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
    ("G12", "REMEDIATION OF PAST CONTAMINATION"),
    ("G13", "HAZARDOUS MATERIAL SPILLS AND LEAKS"),
    ("G14", "CLOSURE OF HAZARDOUS WASTE MANAGEMENT UNIT UNDER RCRA"),
    ("G15", "DISCONTINUE USE OF PROCESS EQUIPMENT"),
    ("G19", "OTHER ONE-TIME OR INTERMITTENT PROCESSES"),
    ("G21", "AIR POLLUTION CONTROL DEVICES"),
    ("G22", "LABORATORY ANALYTICAL WASTES"),
    ("G23", "WASTEWATER TREATMENT"),
    ("G26", "LEACHATE COLLECTION"),
    ("G27", "TREATMENT, DISPOSAL OR RECYCLING OF HAZARDOUS WASTE"),
)
"""A subset of the Biennial Report source codes; RCRAInfo's `source-codes` lookup has them all."""
SOURCE_CODE_BY_CODE = _index(SOURCE_CODES)

LOAD_TYPES = _entries(
    ("Container", "Container"),
    ("ArticleInContainer", "Article in container"),
    ("ArticleNotInContainer", "Article not in container"),
    ("BulkWaste", "Bulk waste"),
)
LOAD_TYPE_BY_CODE = _index(LOAD_TYPES)
BULK_WASTE_LOAD_TYPE = "BulkWaste"

MTN_SUFFIXES = _entries(
    ("ELC", "Electronic Manifest"),
    ("FLE", "The Flesh Company"),
    ("JJK", "J.J. Keller & Associates, Inc."),
)
"""`ELC` and a few printers' suffixes. The full, changing list comes from RCRAInfo's
`printed-tracking-number-suffixes` lookup, so validation checks the pattern, not the suffix."""
MTN_SUFFIX_BY_CODE = _index(MTN_SUFFIXES)

DOT_PACKING_GROUPS = _entries(
    ("I", "Great danger"),
    ("II", "Medium danger"),
    ("III", "Minor danger"),
)
DOT_PACKING_GROUP_BY_CODE = _index(DOT_PACKING_GROUPS)
