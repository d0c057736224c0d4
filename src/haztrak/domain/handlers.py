"""RCRA handlers (sites registered in RCRAInfo) in EPA's own JSON vocabulary.

These are the handler fields of EPA's manifest schema (`ManifestHandlerSite` without the
signature parts). The manifest model builds on them.
"""

from __future__ import annotations

import re
from enum import StrEnum

import msgspec

EPA_ID_PATTERN = re.compile(r"^[A-Z]{2}[A-Za-z0-9]{2,10}$")


class SiteType(StrEnum):
    GENERATOR = "Generator"
    TRANSPORTER = "Transporter"
    TSDF = "Tsdf"
    BROKER = "Broker"

    @classmethod
    def parse(cls, text: str) -> SiteType:
        """Accept the spellings clients send: any case, and `designatedFacility` for Tsdf."""
        key = text.strip().lower()
        aliases = {
            "generator": cls.GENERATOR,
            "transporter": cls.TRANSPORTER,
            "tsdf": cls.TSDF,
            "designatedfacility": cls.TSDF,
            "broker": cls.BROKER,
        }
        try:
            return aliases[key]
        except KeyError:
            raise ValueError(text) from None


def is_epa_id(value: str) -> bool:
    return EPA_ID_PATTERN.fullmatch(value) is not None


class Locality(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    code: str
    name: str | None = None


class Address(
    msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True, forbid_unknown_fields=True
):
    address1: str
    street_number: str | None = None
    address2: str | None = None
    city: str | None = None
    state: Locality | None = None
    country: Locality | None = None
    zip: str | None = None


class Phone(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    number: str
    extension: str | None = None


class Contact(
    msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True, forbid_unknown_fields=True
):
    first_name: str | None = None
    middle_initial: str | None = None
    last_name: str | None = None
    phone: Phone | None = None
    email: str | None = None
    company_name: str | None = None


class RcraSite(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    """A handler as RCRAInfo knows it (site-details, site search, and the handler on a manifest)."""

    epa_site_id: str
    site_type: SiteType
    name: str
    site_address: Address | None = None
    mailing_address: Address | None = None
    contact: Contact | None = None
    emergency_phone: Phone | None = None
    modified: bool | None = None
    registered: bool | None = None
    limited_esign: bool | None = None
    can_esign: bool | None = None
    has_registered_emanifest_user: bool | None = None
    gis_primary: bool | None = None


class RcraSiteDetails(RcraSite, kw_only=True):
    """RCRAInfo's site details: the handler, and what only the site record says. The site
    pull keeps `federal_generator_status` (LQG, SQG, VSQG) with the handler record, where the
    deadlines read a generator's category; read back as an RcraSite (what a client copies into a
    manifest's parties) it is left out, as a manifest's handler has no such field."""

    federal_generator_status: str | None = None
