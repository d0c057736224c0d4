"""Registered handlers (RCRAInfo sites): site details, site exists, site search, site IDs."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from haztrak.domain.handlers import RcraSite, SiteType, is_epa_id
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.lookups import US_STATES

ZIP_PATTERN = re.compile(r"^\d{5}(?:[-\s]\d{4})?$")
EXACT_ID_LENGTH = 12


class SiteRecord(msgspec.Struct, frozen=True, kw_only=True):
    site: RcraSite
    federal_generator_status: str | None = None

    @property
    def epa_id(self) -> str:
        return self.site.epa_site_id

    @property
    def site_type(self) -> SiteType:
        return self.site.site_type

    @property
    def state_code(self) -> str | None:
        address = self.site.site_address
        return address.state.code if address and address.state else None


class EsignInfo(msgspec.Struct, frozen=True):
    """What RCRAInfo derives from a site's users."""

    can_esign: bool = False
    limited_esign: bool = False
    has_registered_emanifest_user: bool = False


def site_json(record: SiteRecord, esign: EsignInfo, *, details: bool = True) -> dict[str, Any]:
    """A site as site details (`site.json`) or, without the emergency phone, site search
    (`site-search-return.json`) answer it."""
    site = record.site
    document: dict[str, Any] = {
        "epaSiteId": site.epa_site_id,
        "siteType": site.site_type.value,
        "name": site.name,
    }
    for key, part in (
        ("mailingAddress", site.mailing_address),
        ("siteAddress", site.site_address),
        ("contact", site.contact),
        ("emergencyPhone", site.emergency_phone if details else None),
    ):
        if part is not None:
            document[key] = msgspec.to_builtins(part)
    document |= {
        "gisPrimary": False,
        "canEsign": esign.can_esign,
        "limitedEsign": esign.limited_esign,
        "hasRegisteredEmanifestUser": esign.has_registered_emanifest_user,
    }
    if record.federal_generator_status is not None:
        document["federalGeneratorStatus"] = record.federal_generator_status
    return document


def registered_fields(record: SiteRecord, esign: EsignInfo, role: SiteType) -> dict[str, Any]:
    """What e-Manifest writes into a manifest for a registered handler in the given role.

    Contact and emergency phone are not here: a manifest keeps the ones its author gave and
    falls back to RCRAInfo's only when they are missing.
    """
    site = record.site
    fields: dict[str, Any] = {
        "siteType": role.value,
        "epaSiteId": site.epa_site_id,
        "name": site.name,
    }
    if site.mailing_address is not None:
        fields["mailingAddress"] = msgspec.to_builtins(site.mailing_address)
    if site.site_address is not None:
        fields["siteAddress"] = msgspec.to_builtins(site.site_address)
    return fields | {
        "registered": True,
        "modified": False,
        "gisPrimary": False,
        "canEsign": esign.can_esign,
        "limitedEsign": esign.limited_esign,
        "hasRegisteredEmanifestUser": esign.has_registered_emanifest_user,
    }


def registered_contact(record: SiteRecord) -> dict[str, Any] | None:
    contact = record.site.contact
    return None if contact is None else msgspec.to_builtins(contact)


def registered_emergency_phone(record: SiteRecord) -> dict[str, Any] | None:
    phone = record.site.emergency_phone
    return None if phone is None else msgspec.to_builtins(phone)


def check_site_id(site_id: str) -> str:
    if not is_epa_id(site_id):
        raise RcraError(
            "E_InvalidSiteId",
            "Provided Site ID has an invalid format. Site ID shall be compliant with the following "
            "format: Two Letter Activity Location Code + Up to 10 alphanumeric characters",
        )
    return site_id


def check_state_code(state_code: str) -> str:
    if state_code.upper() not in US_STATES:
        raise RcraError("E_InvalidStateCode", "Provided State Code is invalid")
    return state_code.upper()


def parse_site_type(text: str) -> SiteType:
    try:
        return SiteType.parse(text)
    except ValueError:
        raise RcraError(
            "E_InvalidSiteType",
            f"Instance value ({text!r}) not found in enum "
            '(possible values: ["Generator","Transporter","Tsdf","Broker"])',
        ) from None


class SiteSearch(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    epa_site_id: str | None = None
    name: str | None = None
    street_number: str | None = None
    address1: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    site_type: str | None = None
    page_number: int | float | None = None


class SitePage(msgspec.Struct, frozen=True):
    total: int
    pages: int
    page: int
    sites: list[SiteRecord]
    searched: list[dict[str, str]]
    warnings: list[dict[str, str]]


def search_sites(records: Iterable[SiteRecord], criteria: SiteSearch, page_size: int) -> SitePage:
    """EPA's site search: an exact match on a 12-character ID, otherwise every valid criterion."""
    searched: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    filters = _site_filters(criteria, searched, warnings)
    page = int(criteria.page_number or 1)
    if page < 1:
        raise RcraError("E_InvalidPageNumber", "Page number must be a positive number")
    matches = sorted(
        (r for r in records if all(match(r) for match in filters)), key=lambda r: r.epa_id
    )
    pages = math.ceil(len(matches) / page_size)
    if matches and page > pages:
        warnings.append(
            {"field": "pageNumber", "message": "Page number exceeds the number of pages",
             "value": str(page)}
        )  # fmt: skip
    chosen = matches[(page - 1) * page_size : page * page_size]
    return SitePage(len(matches), pages, page, chosen, searched, warnings)


SiteFilter = Callable[[SiteRecord], bool]


def _site_filters(
    criteria: SiteSearch, searched: list[dict[str, str]], warnings: list[dict[str, str]]
) -> list[SiteFilter]:
    def note(field: str, value: str) -> None:
        searched.append({"field": field, "value": value})

    if criteria.epa_site_id and len(criteria.epa_site_id.strip()) == EXACT_ID_LENGTH:
        wanted = criteria.epa_site_id.strip().upper()
        note("epaSiteId", wanted)
        return [lambda r: r.epa_id == wanted]

    given = {
        "epaSiteId": criteria.epa_site_id,
        "name": criteria.name,
        "streetNumber": criteria.street_number,
        "address1": criteria.address1,
        "city": criteria.city,
        "state": criteria.state,
        "zip": criteria.zip,
    }
    if not any((value or "").strip() for value in given.values()):
        raise RcraError(
            "E_SearchParameterRequired",
            "Missing required search parameters: epaSiteId, name, streetNumber, address1, city, "
            "state, zip",
        )
    filters: list[SiteFilter] = []
    invalid: list[str] = []

    def invalid_value(field: str, value: str, message: str) -> None:
        invalid.append(field)
        warnings.append({"field": field, "message": message, "value": value})

    if criteria.epa_site_id:
        prefix = criteria.epa_site_id.strip().upper()
        if len(prefix) < 2 or not prefix[:2].isalpha():
            invalid_value("epaSiteId", prefix, "Provided Site ID has an invalid format")
        else:
            note("epaSiteId", prefix)
            filters.append(lambda r: r.epa_id.startswith(prefix))
    if criteria.state:
        state = criteria.state.strip().upper()
        if state not in US_STATES:
            invalid_value("state", state, "Provided State Code is invalid")
        else:
            note("state", state)
            filters.append(lambda r: r.state_code == state)
    if criteria.zip:
        zip_code = criteria.zip.strip()
        if not ZIP_PATTERN.fullmatch(zip_code):
            invalid_value("zip", zip_code, "Provided Zip is invalid")
        else:
            note("zip", zip_code)
            filters.append(lambda r: _address(r, "zip").startswith(zip_code[:5]))
    if criteria.name:
        name = criteria.name.strip().upper()
        note("name", criteria.name)
        filters.append(lambda r: name in r.site.name.upper())
    if criteria.city:
        city = criteria.city.strip().upper()
        note("city", criteria.city)
        filters.append(lambda r: _address(r, "city").upper() == city)
    has_locator = bool(criteria.city or (criteria.zip and "zip" not in invalid))
    if criteria.address1:
        if not has_locator:
            raise RcraError(
                "E_CityZipNotProvided",
                "Address1 is not used for the search because neither City nor Zip are provided",
            )
        street = criteria.address1.strip().upper()
        note("address1", criteria.address1)
        filters.append(lambda r: street in _address(r, "address1").upper())
    if criteria.street_number:
        if not criteria.address1:
            raise RcraError(
                "E_Address1NotProvided",
                "Street number is not used for the search because address1 is not provided",
            )
        number = criteria.street_number.strip()
        note("streetNumber", number)
        filters.append(lambda r: _address(r, "streetNumber") == number)
    if not filters:
        raise _all_invalid(invalid)
    if criteria.site_type:
        site_type = parse_site_type(criteria.site_type)
        note("siteType", site_type.value)
        filters.append(lambda r: r.site_type is site_type)
    return filters


def _all_invalid(invalid: list[str]) -> RcraError:
    fields = set(invalid)
    if fields == {"epaSiteId"}:
        return RcraError("E_InvalidSiteId", "Provided Site ID has an invalid format")
    if fields == {"state"}:
        return RcraError("E_InvalidStateCode", "Provided State Code is invalid")
    if fields == {"zip"}:
        return RcraError("E_InvalidZip", "Provided Zip is invalid")
    return RcraError(
        "E_InvalidSiteIdStateZip", "Provided Site ID, State, Zip have an invalid format"
    )


def _address(record: SiteRecord, key: str) -> str:
    address = record.site.site_address
    if address is None:
        return ""
    value = msgspec.to_builtins(address).get(key)
    return value if isinstance(value, str) else ""


def site_names(records: Mapping[str, SiteRecord]) -> dict[str, str]:
    return {epa_id: record.site.name for epa_id, record in records.items()}
