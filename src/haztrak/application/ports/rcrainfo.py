"""RCRAInfo (EPA's system, with e-Manifest inside it) as the application sees it.

Every answer is a domain result or one `RcrainfoError` whose kind tells the caller what to do:
retry a TRANSIENT error later; never retry UNAUTHORIZED (EPA locks an API ID after three failed
logins); show VALIDATION field errors to the person who sent the manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import msgspec

from haztrak.domain.errors import DomainError
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import RcraSitePermission
from haztrak.domain.manifest import CodeDescription, HandlerRole, Manifest
from haztrak.domain.manifest.corrections import VersionHistory
from haztrak.domain.rcrainfo_links import UiLink
from haztrak.domain.secrets import Secret


class RcrainfoCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """An API ID and key (an org's, or a user's own). The key never prints."""

    api_id: str
    api_key: Secret


class RcrainfoErrorKind(StrEnum):
    UNAUTHORIZED = "unauthorized"  # bad, locked or inactive credentials: stop, do not retry
    FORBIDDEN = "forbidden"  # the credentials lack permission on the site
    NOT_FOUND = "not_found"
    VALIDATION = "validation"  # EPA refused the content; see field_errors
    LOCKED = "locked"  # the manifest is locked (signing queue, EPA change)
    TRANSIENT = "transient"  # timeouts, 5xx, dropped connections: retry with backoff


class RcrainfoProblem(msgspec.Struct, frozen=True, kw_only=True):
    """One of EPA's error or warning entries, with the field path EPA gave."""

    message: str
    field: str | None = None
    value: str | None = None


class RcrainfoError(DomainError):
    """`credentials_refused`: EPA refused the API ID and key themselves, with one of its
    credential error codes. Only then are the credentials not sent again until they change, and
    the org's credentials marked failing; an UNAUTHORIZED answer without such a code (a
    gateway's bare HTTP 401) fails the call but says nothing about the key."""

    def __init__(
        self,
        kind: RcrainfoErrorKind,
        message: str,
        *,
        code: str | None = None,
        field_errors: Sequence[RcrainfoProblem] = (),
        warnings: Sequence[RcrainfoProblem] = (),
        credentials_refused: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.credentials_refused = credentials_refused
        self.code = code
        self.field_errors = list(field_errors)
        self.warnings = list(warnings)

    @property
    def retryable(self) -> bool:
        return self.kind is RcrainfoErrorKind.TRANSIENT


class SaveReport(msgspec.Struct, frozen=True, kw_only=True):
    """What e-Manifest answered to a save, update or delete that succeeded."""

    manifest_tracking_number: str
    operation_status: str
    report_id: str | None = None
    date: str | None = None
    warnings: list[RcrainfoProblem] = msgspec.field(default_factory=list)
    current_version_number: int | None = None
    """For a correction or a revert: the number of the version current afterwards."""


class QuickerSign(msgspec.Struct, frozen=True, kw_only=True):
    site_id: str
    site_type: HandlerRole
    printed_signature_name: str
    printed_signature_date: datetime
    manifest_tracking_numbers: tuple[str, ...]
    transporter_order: int | None = None


class SignResult(msgspec.Struct, frozen=True, kw_only=True):
    manifest_tracking_number: str
    signed: bool
    errors: list[RcrainfoProblem] = msgspec.field(default_factory=list)


class SignReport(msgspec.Struct, frozen=True, kw_only=True):
    operation_status: str
    report_id: str | None = None
    results: list[SignResult] = msgspec.field(default_factory=list)
    warnings: list[RcrainfoProblem] = msgspec.field(default_factory=list)


class RcrainfoUser(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    permissions: list[RcraSitePermission] = msgspec.field(default_factory=list)


class SiteSearch(msgspec.Struct, frozen=True, kw_only=True):
    epa_site_id: str | None = None
    name: str | None = None
    site_type: SiteType | None = None
    state: str | None = None
    page: int = 1


class Lookup(StrEnum):
    """RCRAInfo's code lists that answer `[{code, description}]`."""

    FEDERAL_WASTE_CODES = "federal-waste-codes"
    MANAGEMENT_METHODS = "management-method-codes"
    FORM_CODES = "form-codes"
    SOURCE_CODES = "source-codes"
    DENSITY_UNITS = "density-uom"
    CONTAINER_TYPES = "container-types"
    UNITS_OF_MEASURE = "quantity-uom"
    LOAD_TYPES = "load-types"


class Rcrainfo(Protocol):
    """One RCRAInfo environment (EPA preprod or prod, or the sandbox).

    Calls authenticate with the given credentials as needed and renew the token before it
    expires. Every method raises RcrainfoError and nothing else. Arguments that are not an EPA
    ID, a tracking number or a state code are refused (VALIDATION) before any request. Once
    RCRAInfo refuses credentials (UNAUTHORIZED), they are not sent again until the key changes.
    """

    async def get_site(self, credentials: RcrainfoCredentials, epa_id: str) -> RcraSite: ...

    async def search_sites(
        self, credentials: RcrainfoCredentials, search: SiteSearch
    ) -> list[RcraSite]: ...

    async def search_users(
        self,
        credentials: RcrainfoCredentials,
        *,
        user_id: str | None = None,
        site_ids: Sequence[str] = (),
    ) -> list[RcrainfoUser]:
        """Every page of the answer: the users of the key holder's sites, limited to those."""

    async def get_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> Manifest: ...

    async def mtn_exists(self, credentials: RcrainfoCredentials, mtn: str) -> bool: ...

    async def save_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        """Sends `manifest.for_emanifest()`. The report keeps EPA's warnings; a refusal is
        VALIDATION with EPA's field paths (`Emanifest.wastes.0.quantity`) and warnings."""

    async def update_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport: ...

    async def delete_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport: ...

    async def correct_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        """EPA's correct service: from Signed or Corrected a new version UnderCorrection
        (`CorrectionCreated`), from UnderCorrection that version changed (`CorrectionUpdated`);
        `current_version_number` is the version's number. LOCKED while e-Manifest holds the
        manifest locked; VALIDATION with EPA's field paths otherwise refused."""

    async def revert_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        """EPA's revert: the version under correction is dropped (`Reverted`);
        `current_version_number` is the version current again."""

    async def correction_details(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> VersionHistory:
        """The manifest's versions (EPA's correction details)."""

    async def correction_version(
        self, credentials: RcrainfoCredentials, mtn: str, version_number: int
    ) -> Manifest:
        """The content of one version of the manifest (EPA's correction version)."""

    async def quicker_sign(
        self, credentials: RcrainfoCredentials, command: QuickerSign
    ) -> SignReport:
        """A report with each manifest's outcome when at least one was signed; VALIDATION when
        none was (each manifest's error is a field error whose value is its tracking number)."""

    async def search_manifests(
        self,
        credentials: RcrainfoCredentials,
        *,
        site_id: str,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> list[str]:
        """Tracking numbers of the site's manifests updated in the window (UpdatedDate)."""

    async def site_tracking_numbers(
        self, credentials: RcrainfoCredentials, site_id: str
    ) -> list[str]: ...

    async def lookup(
        self, credentials: RcrainfoCredentials, lookup: Lookup
    ) -> list[CodeDescription]: ...

    async def state_waste_codes(
        self, credentials: RcrainfoCredentials, state: str
    ) -> list[CodeDescription]: ...

    async def get_manifest_attachments(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> ManifestAttachments:
        """EPA's attachments service: the manifest and the files kept with it (the scanned
        form of a paper manifest, the copies of record, EPA's form PDF); no files is an empty
        list."""

    async def ui_link(self, credentials: RcrainfoCredentials, link: UiLink) -> str:
        """EPA's UI-link service: the address of an RCRAInfo e-Manifest page (View, Edit, Sign
        a manifest; Dashboard, BulkSign, BulkQuickSign) for the user to open. VALIDATION with
        EPA's field errors when it refuses (a Sign link to a manifest not ready for it)."""


class RcrainfoFile(msgspec.Struct, frozen=True, kw_only=True):
    """One file of a manifest's attachments, named as RCRAInfo's zip names it."""

    name: str
    data: bytes


class ManifestAttachments(msgspec.Struct, frozen=True, kw_only=True):
    manifest: Manifest
    files: list[RcrainfoFile] = msgspec.field(default_factory=list)
