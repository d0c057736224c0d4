"""The sandbox's seed data: handlers, RCRAInfo users and a history of manifests.

Everything here is deterministic: generated handlers and manifests come from `random.Random`
with a fixed seed, and dates count back from a fixed anchor, so two sandboxes seeded by the same
code hold the same data.

- Demo handlers: VATESTGEN001 (org "Generators Org LLC"), MOCKTRANS001 and MOCKTRANS002 (org
  "Mock Transporters"), MOCKTSDFS001 (org "Mock TSDF").
- Every handler that appears in EPA's example payloads (`EXAMPLE_SITE_IDS`), so each example
  saves as EPA documents it; `exampleuser` is a Site Manager on all of them.
- A few hundred generated handlers for site search.
- Users: `testuser1`, `transporter1`, `tsdf1` (Certifiers), one Site Manager per demo org whose
  API ID and key are `DEMO_ORG_CREDENTIALS`, and `exampleuser`.
- A manifest history for the demo sites in every status.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from haztrak.domain.handlers import Address, Contact, Locality, Phone, RcraSite, SiteType
from haztrak.domain.manifest.codes import CONTAINER_TYPE_BY_CODE, UNIT_OF_MEASURE_BY_CODE
from haztrak.domain.manifest.datetimes import format_epa_datetime
from haztrak.entrypoints.sandbox import lookups
from haztrak.entrypoints.sandbox.descriptions import code_description
from haztrak.entrypoints.sandbox.documents import minimal_pdf, zip_files
from haztrak.entrypoints.sandbox.sites import (
    EsignInfo,
    SiteRecord,
    registered_contact,
    registered_emergency_phone,
    registered_fields,
)
from haztrak.entrypoints.sandbox.users import Level, RcraUser, module_access, site_manager_access

SEED = 20_211_027
ANCHOR = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
"""Seeded dates count back from here, so the history is the same whenever it is built."""
FIRST_SEEDED_SERIAL = 100_100_001
GENERATED_HANDLER_COUNT = 300

GENERATOR_ID = "VATESTGEN001"
TRANSPORTER_IDS = ("MOCKTRANS001", "MOCKTRANS002")
TSDF_ID = "MOCKTSDFS001"

DEMO_ORG_CREDENTIALS: dict[str, tuple[str, str]] = {
    "generators-org-llc": (
        "f0fe1327-3b9d-5a03-8557-36c771a56fb6",
        "XaRxjG9eeZqTxZKJ7r1JbNDFDPtXogEd",
    ),
    "mock-transporters": (
        "aa0af782-240e-539c-9f1b-1cb8e38422f1",
        "nUxkY1zxYMYtnVF8n72KyBCVvqEqG6uw",
    ),
    "mock-tsdf": (
        "bccc4a54-e9b7-57d6-98b3-7e25bcb2de80",
        "2Rwyvu1N7LGzOLiXtKY-ZrPtXjr-wx9O",
    ),
}
"""RCRAInfo API ID and key of each demo org's Site Manager, keyed by org slug."""

EXAMPLE_USER_CREDENTIALS = (
    "0cde90c2-d8b0-51a2-a7d4-3e0cbc443610",
    "zuKISxsnUwoSbL7Czp9Jy-jbt6V6O55o",
)


class DemoOrg(msgspec.Struct, frozen=True):
    slug: str
    name: str
    site_ids: tuple[str, ...]
    manager_user_id: str


DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("generators-org-llc", "Generators Org LLC", (GENERATOR_ID,), "genmanager1"),
    DemoOrg("mock-transporters", "Mock Transporters", TRANSPORTER_IDS, "transmanager1"),
    DemoOrg("mock-tsdf", "Mock TSDF", (TSDF_ID,), "tsdfmanager1"),
)

EXAMPLE_SITE_IDS: tuple[str, ...] = (
    "VATESTGEN001", "VATESTRAN02", "VATESTTSDF03", "VATEST000001", "VATEST000002",
    "VATEST000003", "VATEST000004", "VAD000532119", "VAR000503920", "AK002",
    "AK000000009", "AK8570028649", "OH001", "OH002",
)  # fmt: skip
"""Every handler named in EPA's example payloads (manifests, quicker sign, billing)."""

_US = Locality(code="US", name="UNITED STATES")
_ARLINGTON = ("ARLINGTON", "VA", "22202")


def _address(
    address1: str, place: tuple[str, str, str], street_number: str | None = None
) -> Address:
    city, state, zip_code = place
    return Address(
        address1=address1,
        street_number=street_number,
        city=city,
        state=Locality(code=state, name=lookups.US_STATES[state]),
        country=_US,
        zip=zip_code,
    )


def _record(
    epa_id: str,
    site_type: SiteType,
    name: str,
    address: Address,
    contact: Contact,
    emergency_phone: str | None = None,
    generator_status: str | None = None,
) -> SiteRecord:
    site = RcraSite(
        epa_site_id=epa_id,
        site_type=site_type,
        name=name,
        site_address=address,
        mailing_address=address,
        contact=contact,
        emergency_phone=Phone(number=emergency_phone) if emergency_phone else None,
    )
    return SiteRecord(site=site, federal_generator_status=generator_status)


def _contact(
    phone: str, email: str | None = None, first: str | None = None, last: str | None = None
) -> Contact:
    return Contact(first_name=first, last_name=last, phone=Phone(number=phone), email=email)


def demo_sites() -> list[SiteRecord]:
    return [
        _record(
            GENERATOR_ID, SiteType.GENERATOR, "VA TEST GEN 2021",
            _address("123 VA TEST GEN 2021 WAY", _ARLINGTON),
            _contact("888-888-8888", "generator@generatorsorg.example.com", "SCOTT", "CHRISTIAN"),
            "888-456-1234", "LQG",
        ),
        _record(
            "MOCKTRANS001", SiteType.TRANSPORTER, "MOCK TRANSPORTER 1",
            _address("HAULER WAY", ("ST LOUIS", "MO", "63101"), "100"),
            _contact("314-555-0101", "dispatch@mocktransporters.example.com", "TRENT", "HAULER"),
            "314-555-0199",
        ),
        _record(
            "MOCKTRANS002", SiteType.TRANSPORTER, "MOCK TRANSPORTER 2",
            _address("FREIGHT AVE", ("KANSAS CITY", "MO", "64105"), "200"),
            _contact("816-555-0102", "dispatch2@mocktransporters.example.com", "TRENT", "HAULER"),
            "816-555-0199",
        ),
        _record(
            TSDF_ID, SiteType.TSDF, "MOCK TSDF 1",
            _address("TREATMENT PLANT RD", ("JEFFERSON CITY", "MO", "65101"), "500"),
            _contact("573-555-0103", "receiving@mocktsdf.example.com", "TESS", "RECEIVER"),
            "573-555-0199",
        ),
    ]  # fmt: skip


def example_sites() -> list[SiteRecord]:
    """The handlers of EPA's examples, with the names and addresses the examples give them."""
    epa_phone = "703-308-0023"
    epa_email = "EMANIFEST@EPA.GOV"
    return [
        _record(
            "VATESTRAN02", SiteType.TRANSPORTER, "VA TEST TRAN 2021",
            _address("321 VA TEST TRAN 2021 ROAD", _ARLINGTON), _contact(epa_phone), "888-456-1234",
        ),
        _record(
            "VATESTTSDF03", SiteType.TSDF, "VA TEST TSDF 2021",
            _address("234 VA TEST TSDF 2021 DRIVE", _ARLINGTON),
            _contact(epa_phone, "Testing@EPA.GOV"), "888-456-1234",
        ),
        _record(
            "VATEST000001", SiteType.TRANSPORTER, "TEST TRANSPORTER 1 OF VA",
            _address("2777 SOUTH CRYSTAL DRIVE", _ARLINGTON), _contact(epa_phone), "888-867-2485",
        ),
        _record(
            "VATEST000002", SiteType.TRANSPORTER, "TEST TRANSPORTER 2 OF VA",
            _address("2777 S CRYSTAL DRIVE", _ARLINGTON), _contact(epa_phone, epa_email),
            "888-867-2485",
        ),
        _record(
            "VATEST000003", SiteType.TSDF, "TEST TSDF 3 OF VA",
            _address("2777 S CRYSTAL DRIVE", _ARLINGTON), _contact("868-888-8888"), "888-867-2485",
        ),
        _record(
            "VATEST000004", SiteType.GENERATOR, "TEST GENERATOR OF VA",
            _address("2777 S CRYSTAL DRIVE", _ARLINGTON), _contact(epa_phone, epa_email),
            "888-867-2485", "LQG",
        ),
        _record(
            "VAD000532119", SiteType.TSDF, "TEST TSDF OF VA",
            _address("123 MAIN ST", _ARLINGTON), _contact(epa_phone, epa_email), "888-867-2485",
        ),
        _record(
            "VAR000503920", SiteType.TRANSPORTER, "TEST TRUCKING OF VA",
            _address("2777 S CRYSTAL DRIVE", _ARLINGTON), _contact(epa_phone), "888-867-2485",
        ),
        _record(
            "AK002", SiteType.TRANSPORTER, "TEST TRANSPORTER OF AK",
            _address("C STREET", ("ANCHORAGE", "AK", "99501"), "400"), _contact("907-555-0102"),
            "907-555-0199",
        ),
        _record(
            "AK000000009", SiteType.TSDF, "TEST BILLING FACILITY 9 OF AK",
            _address("PORT ROAD", ("ANCHORAGE", "AK", "99501"), "9"), _contact("907-555-0109"),
            "907-555-0199",
        ),
        _record(
            "AK8570028649", SiteType.TSDF, "TEST BILLING FACILITY OF AK",
            _address("ARCTIC BLVD", ("FAIRBANKS", "AK", "99701"), "86"), _contact("907-555-0186"),
            "907-555-0199",
        ),
        _record(
            "OH001", SiteType.TSDF, "TEST BILLING FACILITY 1 OF OH",
            _address("LAKE SHORE DR", ("CLEVELAND", "OH", "44114"), "1"), _contact("216-555-0101"),
            "216-555-0199",
        ),
        _record(
            "OH002", SiteType.TSDF, "TEST BILLING FACILITY 2 OF OH",
            _address("RIVER RD", ("COLUMBUS", "OH", "43215"), "2"), _contact("614-555-0102"),
            "614-555-0199",
        ),
    ]  # fmt: skip


_PLACES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "VA": ("703", (("ARLINGTON", "22202"), ("RICHMOND", "23219"), ("NORFOLK", "23510"),
                   ("ROANOKE", "24011"), ("ALEXANDRIA", "22314"))),
    "MD": ("410", (("BALTIMORE", "21201"), ("ANNAPOLIS", "21401"), ("FREDERICK", "21701"))),
    "NC": ("919", (("RALEIGH", "27601"), ("CHARLOTTE", "28202"), ("DURHAM", "27701"))),
    "PA": ("215", (("PHILADELPHIA", "19103"), ("PITTSBURGH", "15222"), ("HARRISBURG", "17101"))),
    "NY": ("518", (("ALBANY", "12207"), ("BUFFALO", "14202"), ("ROCHESTER", "14604"))),
    "OH": ("614", (("COLUMBUS", "43215"), ("CLEVELAND", "44114"), ("DAYTON", "45402"))),
    "TX": ("713", (("HOUSTON", "77002"), ("DALLAS", "75201"), ("AUSTIN", "78701"))),
    "CA": ("916", (("SACRAMENTO", "95814"), ("OAKLAND", "94612"), ("FRESNO", "93721"))),
    "MO": ("314", (("ST LOUIS", "63101"), ("KANSAS CITY", "64105"), ("SPRINGFIELD", "65806"))),
    "IL": ("312", (("CHICAGO", "60601"), ("PEORIA", "61602"), ("SPRINGFIELD", "62701"))),
}  # fmt: skip
_STATE_WEIGHTS = {
    "VA": 6,
    "MD": 2,
    "NC": 2,
    "PA": 2,
    "NY": 2,
    "OH": 2,
    "TX": 2,
    "CA": 2,
    "MO": 2,
    "IL": 2,
}
_NAME_PREFIXES = (
    "BLUE RIDGE", "RIVERSIDE", "SUMMIT", "PIONEER", "GRANITE", "HARBOR", "LAKESHORE", "MERIDIAN",
    "CARDINAL", "EVERGREEN", "LIBERTY", "NORTHSTAR", "PRAIRIE", "KEYSTONE", "COASTAL",
    "TRI-COUNTY", "VALLEY", "IRONWOOD", "SILVER CREEK", "OAK HILL",
)  # fmt: skip
_NAME_CORES = {
    SiteType.GENERATOR: ("METAL FINISHING", "PRINTING", "AUTO BODY", "CHEMICAL", "PLATING",
                         "ELECTRONICS", "PHARMACEUTICAL", "FURNITURE", "COATINGS", "LABORATORIES",
                         "MEDICAL CENTER", "MACHINE SHOP"),
    SiteType.TRANSPORTER: ("HAULING", "TRANSPORT", "FREIGHT", "LOGISTICS", "TRUCKING", "CARRIERS"),
    SiteType.TSDF: ("ENVIRONMENTAL SERVICES", "RECYCLING", "TREATMENT CENTER", "WASTE SOLUTIONS",
                    "DISPOSAL"),
    SiteType.BROKER: ("WASTE BROKERS", "ENVIRONMENTAL CONSULTING"),
}  # fmt: skip
_NAME_SUFFIXES = ("INC", "LLC", "CO", "CORP", "")
_STREETS = ("INDUSTRIAL PKWY", "COMMERCE DR", "FACTORY RD", "MAIN ST", "RAILROAD AVE",
            "TECHNOLOGY BLVD", "HARBOR RD", "MILL ST", "RIVER RD", "ENTERPRISE WAY")  # fmt: skip
_FIRST_NAMES = ("ALEX", "JORDAN", "CASEY", "MORGAN", "TAYLOR", "RILEY", "JAMIE", "AVERY", "DANA")
_LAST_NAMES = ("SMITH", "JOHNSON", "LEE", "GARCIA", "BROWN", "DAVIS", "MARTINEZ", "WILSON", "MOORE")
_ID_LETTERS = {
    SiteType.GENERATOR: "D",
    SiteType.TRANSPORTER: "T",
    SiteType.TSDF: "F",
    SiteType.BROKER: "B",
}


def generated_sites(taken: set[str], count: int = GENERATED_HANDLER_COUNT) -> list[SiteRecord]:
    """Handlers that only exist to be found by site search."""
    rng = random.Random(SEED + 1)  # noqa: S311 - seed data, deterministic on purpose
    states = list(_STATE_WEIGHTS)
    weights = list(_STATE_WEIGHTS.values())
    types = [SiteType.GENERATOR, SiteType.TRANSPORTER, SiteType.TSDF, SiteType.BROKER]
    records: list[SiteRecord] = []
    while len(records) < count:
        state = rng.choices(states, weights)[0]
        site_type = rng.choices(types, [11, 4, 3, 2])[0]
        epa_id = f"{state}{_ID_LETTERS[site_type]}{rng.randrange(10**9):09d}"
        if epa_id in taken:
            continue
        taken.add(epa_id)
        area, places = _PLACES[state]
        city, zip_code = rng.choice(places)
        name = " ".join(
            part
            for part in (rng.choice(_NAME_PREFIXES), rng.choice(_NAME_CORES[site_type]),
                         rng.choice(_NAME_SUFFIXES))
            if part
        )  # fmt: skip
        address = _address(
            rng.choice(_STREETS), (city, state, zip_code), str(rng.randrange(1, 9999))
        )
        contact = _contact(
            f"{area}-555-{rng.randrange(10000):04d}", None,
            rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES),
        )  # fmt: skip
        status = rng.choice(("LQG", "SQG", "VSG")) if site_type is SiteType.GENERATOR else None
        records.append(
            _record(epa_id, site_type, name, address, contact,
                    f"{area}-555-{rng.randrange(10000):04d}", status)
        )  # fmt: skip
    return records


def seeded_sites() -> dict[str, SiteRecord]:
    records = demo_sites() + example_sites()
    taken = {r.epa_id for r in records}
    records += generated_sites(taken)
    return {record.epa_id: record for record in records}


_LAST_LOGIN = "2026-05-28T14:03:11.000+0000"


def seeded_users() -> dict[str, RcraUser]:
    def user(user_id: str, first: str, last: str, **more: Any) -> RcraUser:
        return RcraUser(
            user_id=user_id,
            first_name=first,
            last_name=last,
            email=f"{user_id}@haztrak.example.com",
            phone="555-555-5555",
            last_login_date=_LAST_LOGIN,
            **more,
        )

    managers = {org.manager_user_id: org for org in DEMO_ORGS}
    users = [
        user("testuser1", "Test", "User", sites=(module_access(GENERATOR_ID, "Certifier"),)),
        user(
            "transporter1", "Trent", "Hauler",
            sites=tuple(module_access(site_id, "Certifier") for site_id in TRANSPORTER_IDS),
        ),
        user("tsdf1", "Tess", "Receiver", sites=(module_access(TSDF_ID, "Certifier"),)),
        *(
            user(
                user_id, org.name.split()[0], "Manager",
                api_id=DEMO_ORG_CREDENTIALS[org.slug][0], api_key=DEMO_ORG_CREDENTIALS[org.slug][1],
                sites=tuple(site_manager_access(site_id) for site_id in org.site_ids),
            )
            for user_id, org in managers.items()
        ),
        user(
            "exampleuser", "Example", "User",
            api_id=EXAMPLE_USER_CREDENTIALS[0], api_key=EXAMPLE_USER_CREDENTIALS[1],
            sites=tuple(site_manager_access(site_id) for site_id in EXAMPLE_SITE_IDS),
        ),
    ]  # fmt: skip
    return {u.user_id: u for u in users}


def esign_info(users: dict[str, RcraUser], site_id: str) -> EsignInfo:
    levels = [(u.emanifest_level(site_id), u.can_esign) for u in users.values()]
    can_esign = any(level is Level.CERTIFIER and esa for level, esa in levels)
    return EsignInfo(
        can_esign=can_esign,
        limited_esign=can_esign or any(level is Level.PREPARER for level, _ in levels),
        has_registered_emanifest_user=any(level > Level.NONE for level, _ in levels),
    )


class SeedData(msgspec.Struct, kw_only=True):
    sites: dict[str, SiteRecord]
    users: dict[str, RcraUser]
    manifests: dict[str, dict[str, Any]]
    attachments: dict[str, bytes]
    next_serial: int


def build_seed() -> SeedData:
    sites = seeded_sites()
    users = seeded_users()
    history = _History(sites, users)
    history.build()
    return SeedData(
        sites=sites,
        users=users,
        manifests=history.manifests,
        attachments=history.attachments,
        next_serial=history.serial,
    )


class _Waste(msgspec.Struct, frozen=True):
    id_number: str | None
    description: str
    codes: tuple[str, ...]
    container: str
    unit: str
    method: str
    epa_waste: bool = True
    pcb: bool = False


_WASTES = (
    _Waste("NA1993", "NA1993, Waste Diesel fuel, 3, III", ("D001",), "DM", "G", "H061"),
    _Waste("UN1090", "UN1090, Waste Acetone, 3, II", ("D001", "F003"), "DF", "G", "H020"),
    _Waste("UN1263", "UN1263, Waste Paint, 3, II", ("D001", "F005"), "DM", "G", "H061"),
    _Waste(
        "UN3264",
        "UN3264, Waste Corrosive liquid, acidic, inorganic, n.o.s. (Sulfuric acid), 8, II",
        ("D002", "D007"), "DF", "G", "H121",
    ),
    _Waste("UN2809", "UN2809, Waste Mercury, 8, III", ("D009",), "CF", "P", "H010"),
    _Waste(
        "NA3077", "NA3077, Hazardous waste, solid, n.o.s. (Lead), 9, III", ("D008",), "CM", "T",
        "H111",
    ),
    _Waste(
        None, "Spent fluorescent lamps (universal waste)", (), "CF", "P", "H010", epa_waste=False
    ),
    _Waste(None, "PCB contaminated rags", (), "BA", "K", "H040", epa_waste=False, pcb=True),
)  # fmt: skip

# (kind, count), oldest first: a sync walks from signed history to work in progress.
_GENERATOR_PLAN = (
    ("Signed", 15), ("Corrected", 2), ("UnderCorrection", 2), ("MtnValidationFailed", 2),
    ("PaperReady", 2), ("ReadyForSignature", 6), ("InTransit", 5), ("ScheduledGeneratorSigned", 2),
    ("Scheduled", 6), ("HybridScheduled", 2), ("Pending", 4),
)  # fmt: skip
_INCOMING_PLAN = (("HybridSigned", 2), ("HybridInTransit", 2), ("HybridScheduled", 2))
_UNSIGNED_ELECTRONIC = frozenset(
    {"Pending", "Scheduled", "HybridScheduled", "ScheduledGeneratorSigned", "InTransit",
     "HybridInTransit", "ReadyForSignature"}
)  # fmt: skip
"""Kinds that may lack a management method: e-Manifest requires one from Signed on."""


class _History:
    """Builds the seeded manifests with one random stream, in one fixed order."""

    def __init__(self, sites: dict[str, SiteRecord], users: dict[str, RcraUser]) -> None:
        self.sites = sites
        self.users = users
        self.rng = random.Random(SEED)  # noqa: S311 - seed data, deterministic on purpose
        self.serial = FIRST_SEEDED_SERIAL
        self.paper_serial = 900_100_001
        self.manifests: dict[str, dict[str, Any]] = {}
        self.attachments: dict[str, bytes] = {}
        self.descriptions = dict(lookups.federal_waste_codes())

    def build(self) -> None:
        plan = [kind for kind, count in _GENERATOR_PLAN for _ in range(count)]
        for index, kind in enumerate(plan):
            created = ANCHOR - timedelta(days=3 * (len(plan) - index), hours=self.rng.randrange(8))
            self.manifest(kind, created, GENERATOR_ID)
        others = sorted(
            epa_id
            for epa_id, r in self.sites.items()
            if r.site_type is SiteType.GENERATOR and epa_id[2] == "D"
        )
        incoming = [kind for kind, count in _INCOMING_PLAN for _ in range(count)]
        for index, kind in enumerate(incoming):
            created = ANCHOR - timedelta(days=2 * (len(incoming) - index), hours=3)
            self.manifest(kind, created, others[index * 7 % len(others)])

    # -- one manifest -------------------------------------------------------------------------

    def manifest(self, kind: str, created: datetime, generator_id: str) -> None:
        paper = kind in ("PaperReady", "MtnValidationFailed")
        hybrid = kind.startswith("Hybrid")
        if paper:
            mtn = f"{self.paper_serial:09d}JJK"
            self.paper_serial += 1
        else:
            mtn = f"{self.serial:09d}ELC"
            self.serial += 1
        two_transporters = kind in ("InTransit", "HybridInTransit") or self.rng.random() < 0.4
        transporter_ids = TRANSPORTER_IDS if two_transporters else (TRANSPORTER_IDS[0],)
        if generator_id != GENERATOR_ID:
            transporter_ids = (
                (TRANSPORTER_IDS[1],) if kind != "HybridInTransit" else TRANSPORTER_IDS
            )
        doc: dict[str, Any] = {
            "createdDate": format_epa_datetime(created),
            "updatedDate": format_epa_datetime(created),
            "manifestTrackingNumber": mtn,
            "status": "Pending",
            "submissionType": "Hybrid" if hybrid else "FullElectronic",
            "originType": "Service",
            "generator": self.handler(generator_id, SiteType.GENERATOR),
            "transporters": [
                self.handler(t, SiteType.TRANSPORTER, order)
                for order, t in enumerate(transporter_ids, start=1)
            ],
            "designatedFacility": self.handler(TSDF_ID, SiteType.TSDF),
            "wastes": self.wastes(signed=kind not in _UNSIGNED_ELECTRONIC),
            "rejection": False,
            "discrepancy": False,
            "residue": False,
            "import": False,
            "containsPreviousRejectOrResidue": False,
            "additionalInfo": {"comments": [], "handlingInstructions": "Sandbox seed manifest."},
        }
        if kind == "Pending":
            del doc["wastes"]
        else:
            doc["status"] = "Scheduled"
        if hybrid:
            self.paper_sign(doc["generator"], created + timedelta(hours=2), "generator")
        if paper:
            self.paper(doc, kind, created)
        else:
            self.progress(doc, kind, created)
        self.manifests[mtn] = doc

    def handler(self, epa_id: str, role: SiteType, order: int | None = None) -> dict[str, Any]:
        record = self.sites[epa_id]
        handler = registered_fields(record, esign_info(self.users, epa_id), role)
        handler["contact"] = registered_contact(record) or {}
        if role in (SiteType.GENERATOR, SiteType.TSDF):
            handler["emergencyPhone"] = registered_emergency_phone(record)
        handler["electronicSignaturesInfo"] = []
        if order is not None:
            handler["order"] = order
        return handler

    def wastes(self, *, signed: bool) -> list[dict[str, Any]]:
        chosen = self.rng.sample(_WASTES, self.rng.randrange(1, 4))
        lines = []
        for number, waste in enumerate(chosen, start=1):
            line: dict[str, Any] = {
                "lineNumber": number,
                "dotHazardous": waste.id_number is not None,
                "epaWaste": waste.epa_waste,
                "pcb": waste.pcb,
                "br": False,
                "quantity": {
                    "containerNumber": self.rng.randrange(1, 20),
                    "containerType": code_description(CONTAINER_TYPE_BY_CODE, waste.container),
                    "quantity": self.rng.randrange(50, 5000),
                    "unitOfMeasurement": code_description(UNIT_OF_MEASURE_BY_CODE, waste.unit),
                },
                "hazardousWaste": {
                    "federalWasteCodes": [
                        {"code": code, "description": self.descriptions[code]}
                        for code in waste.codes
                    ],
                    "tsdfStateWasteCodes": [],
                    "generatorStateWasteCodes": [],
                },
                "managementMethod": {
                    "code": waste.method,
                    "description": dict(lookups.MANAGEMENT_METHODS)[waste.method],
                },
                "discrepancyResidueInfo": {
                    "wasteQuantity": False,
                    "wasteType": False,
                    "residue": False,
                },
            }
            if waste.id_number is None:
                line["wasteDescription"] = waste.description
            else:
                line["dotInformation"] = {
                    "idNumber": {"code": waste.id_number},
                    "printedDotInformation": waste.description,
                }
            if waste.pcb:
                line["pcbInfos"] = [
                    {
                        "loadType": {"code": "BulkWaste"},
                        "dateOfRemoval": format_epa_datetime(ANCHOR - timedelta(days=200)),
                        "weight": 100,
                        "bulkIdentity": "Rags drum",
                    }
                ]
            if not signed and self.rng.random() < 0.3:
                del line["managementMethod"]
            lines.append(line)
        return lines

    # -- signatures and statuses ------------------------------------------------------------

    def signer(self, role: str) -> RcraUser:
        return self.users[
            {"generator": "testuser1", "transporter": "transporter1", "tsdf": "tsdf1"}[role]
        ]

    def e_sign(self, handler: dict[str, Any], day: datetime, role: str) -> str:
        """Quicker Sign as e-Manifest records it: dated noon UTC of the printed date."""
        stamp = format_epa_datetime(day.replace(hour=12, minute=0, second=0, microsecond=0))
        handler["electronicSignaturesInfo"] = [
            {
                "signer": self.signer(role).signer(),
                "signatureDate": stamp,
                "humanReadableDocument": {
                    "name": "human-readable.html",
                    "size": 150_000 + self.rng.randrange(40_000),
                    "mimeType": "TEXT_HTML",
                },
                "signerRole": "Industry",
                "signatureMethod": "QuickerSign",
            }
        ]
        handler["signatureType"] = "QuickerSign"
        return stamp

    def paper_sign(self, handler: dict[str, Any], at: datetime, role: str) -> None:
        user = self.signer(role)
        handler["paperSignatureInfo"] = {
            "printedName": f"{user.first_name} {user.last_name}",
            "signatureDate": format_epa_datetime(at),
        }

    def progress(self, doc: dict[str, Any], kind: str, created: datetime) -> None:
        """Sign the manifest as far as its kind says, moving its status the way e-Manifest does:
        one signature a day, generator, transporters in order, then the designated facility."""
        signatures = {
            "Pending": 0, "Scheduled": 0, "HybridScheduled": 0, "ScheduledGeneratorSigned": 1,
            "InTransit": 2, "HybridInTransit": 2, "ReadyForSignature": 99, "Signed": 100,
            "HybridSigned": 100, "Corrected": 100, "UnderCorrection": 100,
        }[kind]  # fmt: skip
        day = created
        last_write = created
        if signatures >= 1 and doc["submissionType"] == "FullElectronic":
            day += timedelta(days=1)
            self.e_sign(doc["generator"], day, "generator")
            last_write = day
        transporters = doc["transporters"]
        for party, transporter in enumerate(transporters, start=2):
            if party > signatures and signatures < 99:
                break
            day += timedelta(days=1 + self.rng.randrange(2))
            stamp = self.e_sign(transporter, day, "transporter")
            last_write = day
            if party == 2:
                doc["shippedDate"] = stamp
            doc["status"] = "ReadyForSignature" if party - 1 == len(transporters) else "InTransit"
        if signatures >= 100:
            day += timedelta(days=1 + self.rng.randrange(2))
            stamp = self.e_sign(doc["designatedFacility"], day, "tsdf")
            last_write = day
            doc |= {"status": "Signed", "receivedDate": stamp, "signatureStatus": True,
                    "correctionInfo": {"versionNumber": 1, "active": True}}  # fmt: skip
            if kind == "Corrected":
                last_write = day + timedelta(days=5)
                doc["status"] = "Corrected"
                doc["correctionInfo"] = {
                    "versionNumber": 2, "active": True, "epaSiteId": TSDF_ID,
                    "initiatorRole": "Industry", "updateRole": "Industry",
                }  # fmt: skip
            elif kind == "UnderCorrection":
                last_write = day + timedelta(days=4)
                doc["status"] = "UnderCorrection"
                doc["correctionInfo"] = {"active": True, "epaSiteId": TSDF_ID,
                                         "initiatorRole": "Industry"}  # fmt: skip
        doc["updatedDate"] = format_epa_datetime(
            last_write + timedelta(minutes=self.rng.randrange(600))
        )

    def paper(self, doc: dict[str, Any], kind: str, created: datetime) -> None:
        """A paper manifest the TSDF uploaded after the waste arrived."""
        mtn = doc["manifestTrackingNumber"]
        at = created
        for handler, role in (
            (doc["generator"], "generator"),
            *((t, "transporter") for t in doc["transporters"]),
            (doc["designatedFacility"], "tsdf"),
        ):
            at += timedelta(hours=5)
            self.paper_sign(handler, at, role)
        pdf = minimal_pdf([f"Uniform Hazardous Waste Manifest {mtn}", "Scanned copy (sandbox)"])
        name = f"{mtn}.pdf"
        self.attachments[mtn] = zip_files([(name, pdf)])
        doc |= {
            "status": "ReadyForSignature",
            "originType": "Service",
            "printedDocument": {"name": name, "size": len(pdf), "mimeType": "APPLICATION_PDF"},
            "updatedDate": format_epa_datetime(at + timedelta(hours=1)),
        }
        if kind == "PaperReady":
            doc["submissionType"] = "DataImage5Copy"
            return
        doc["submissionType"] = "Image"
        doc["provideImageGeneratorInfo"] = True
        doc["status"] = "MtnValidationFailed"
        doc["mtnValidationInfo"] = {
            "mtnExtractionStatus": "Completed",
            "mtnsMatch": False,
            "pdfMtn": f"{int(mtn[:9]) + 1:09d}JJK",
            "pdfMtnUnique": True,
        }
        for key in ("wastes", "transporters", "discrepancy", "residue", "import"):
            doc.pop(key, None)
        doc["residue"] = False
        doc["import"] = False
