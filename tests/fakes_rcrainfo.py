"""An in-memory RCRAInfo for unit tests of the use cases that talk to it.

It keeps manifests, sites, users and code lists; assigns `#########ELC` numbers on save; and lets
a test inject failures: an error for the next calls of a method, or a save that is carried out
but whose answer is lost (a timeout), which is how duplicate manifests are made.

It records and answers; it decides nothing. A Quicker Sign is recorded (`signatures`), the
signature is written on the handler the command names, and the manifest takes the status the
test says RCRAInfo gives it next (`statuses_after_signing`, from EPA's signing order), or keeps
its status. Refusals are the test's to script (`refuse_signatures`): whether a signature is in
turn is the domain's rule, tested against the sandbox, which has its own reading of EPA's.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec

from haztrak.application.ports.rcrainfo import (
    Lookup,
    ManifestAttachments,
    QuickerSign,
    Rcrainfo,
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoErrorKind,
    RcrainfoFile,
    RcrainfoProblem,
    RcrainfoUser,
    SaveReport,
    SignReport,
    SignResult,
    SiteSearch,
)
from haztrak.domain.handlers import RcraSite
from haztrak.domain.manifest import (
    CodeDescription,
    CorrectionInfo,
    ElectronicSignature,
    HandlerRole,
    Manifest,
    ManifestHandlerSite,
    SignatureMethod,
    Status,
    format_epa_datetime,
)
from haztrak.domain.manifest.corrections import ManifestVersion, VersionHistory, VersionStatus
from haztrak.domain.rcrainfo_links import UiLink
from haztrak.domain.secrets import Secret
from tests.fakes import FixedClock


def transient(message: str = "RCRAInfo answered 503") -> RcrainfoError:
    return RcrainfoError(RcrainfoErrorKind.TRANSIENT, message)


class FakeRcrainfo(Rcrainfo):
    def __init__(self, clock: FixedClock | None = None) -> None:
        self.clock = clock or FixedClock()
        self.accounts: dict[str, str] = {}
        self.sites: dict[str, RcraSite] = {}
        self.users: dict[str, RcrainfoUser] = {}
        self.manifests: dict[str, Manifest] = {}
        self.updated: dict[str, datetime] = {}
        self.lookups: dict[Lookup, list[CodeDescription]] = {}
        self.state_codes: dict[str, list[CodeDescription]] = {}
        self.calls: list[str] = []
        self.failures: dict[str, list[RcrainfoError | None]] = defaultdict(list)
        """What the next calls of a method meet, in order: an error, or None for an answer."""
        self.lose_save_answers = 0
        self.lose_sign_answers = 0
        self.links: list[UiLink] = []
        self.refuse_links: dict[str, str] = {}
        self.signatures: list[QuickerSign] = []
        """Every Quicker Sign received, in order."""
        self.statuses_after_signing: list[Status] = []
        """The status RCRAInfo gives each manifest it signs next, in order (scripted)."""
        self.refuse_signatures: dict[str, str] = {}
        """MTN -> EPA's message, for the manifests RCRAInfo will not sign (scripted)."""
        self.refuse_saves: list[RcrainfoProblem] = []
        self.versions: dict[str, list[tuple[ManifestVersion, Manifest]]] = {}
        """MTN -> its versions (summary, content), oldest first: corrections and reverts
        record them as EPA answers them (a correction is a new version, or changes the one
        under correction; a revert drops it; a signature of it makes it Corrected)."""
        self.corrections: list[Manifest] = []
        """Every correction received, in order."""
        self.files: dict[str, list[RcrainfoFile]] = {}
        """MTN -> the files of its attachments (set by the test; uploads are added)."""
        self.uploads: dict[str, bytes] = {}
        """MTN -> the last zip sent with a save or update of it."""
        self._numbers = itertools.count(100_000_001)

    # --- setting up ---

    def account(self, api_id: str, api_key: str) -> RcrainfoCredentials:
        self.accounts[api_id] = api_key
        return RcrainfoCredentials(api_id=api_id, api_key=Secret(api_key))

    def fail_next(self, method: str, error: RcrainfoError, times: int = 1) -> None:
        self.failures[method].extend([error] * times)

    def fail_after(self, method: str, answers: int, error: RcrainfoError) -> None:
        """Answer the next `answers` calls of the method, then fail one."""
        self.failures[method].extend([None] * answers + [error])

    def store(self, manifest: Manifest) -> Manifest:
        mtn = manifest.manifest_tracking_number
        assert mtn is not None
        self.manifests[mtn] = manifest
        self.updated[mtn] = self.clock.now()
        return manifest

    def count(self, method: str) -> int:
        return self.calls.count(method)

    # --- the port ---

    def _enter(self, method: str, credentials: RcrainfoCredentials) -> None:
        self.calls.append(method)
        if self.accounts.get(credentials.api_id) != credentials.api_key.reveal():
            raise RcrainfoError(
                RcrainfoErrorKind.UNAUTHORIZED,
                "RCRAInfo refused the API ID and key",
                code="E_SecurityApiInvalidCredentials",
                credentials_refused=True,
            )
        failure = self.failures[method].pop(0) if self.failures[method] else None
        if failure is not None:
            raise failure

    async def get_site(self, credentials: RcrainfoCredentials, epa_id: str) -> RcraSite:
        self._enter("get_site", credentials)
        if epa_id not in self.sites:
            raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"site {epa_id} not found")
        return self.sites[epa_id]

    async def search_sites(
        self, credentials: RcrainfoCredentials, search: SiteSearch
    ) -> list[RcraSite]:
        self._enter("search_sites", credentials)
        text = (search.epa_site_id or "").upper()
        return [
            site
            for epa_id, site in sorted(self.sites.items())
            if text in epa_id and (search.site_type is None or site.site_type is search.site_type)
        ]

    async def search_users(
        self,
        credentials: RcrainfoCredentials,
        *,
        user_id: str | None = None,
        site_ids: Sequence[str] = (),
    ) -> list[RcrainfoUser]:
        self._enter("search_users", credentials)
        return [u for u in self.users.values() if user_id is None or u.user_id == user_id]

    async def get_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> Manifest:
        self._enter("get_manifest", credentials)
        if mtn not in self.manifests:
            raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"manifest {mtn} not found")
        return self.manifests[mtn]

    async def mtn_exists(self, credentials: RcrainfoCredentials, mtn: str) -> bool:
        self._enter("mtn_exists", credentials)
        return mtn in self.manifests

    async def save_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        self._enter("save_manifest", credentials)
        if self.refuse_saves:
            raise RcrainfoError(
                RcrainfoErrorKind.VALIDATION,
                "the manifest has errors",
                field_errors=self.refuse_saves,
            )
        mtn = manifest.manifest_tracking_number or f"{next(self._numbers):09d}ELC"
        now = self.clock.now()
        self.store(
            msgspec.structs.replace(
                manifest,
                manifest_tracking_number=mtn,
                status=manifest.status or Status.PENDING,
                created_date=format_epa_datetime(now),
                updated_date=format_epa_datetime(now),
            )
        )
        if attachment:
            self.uploads[mtn] = attachment
        if self.lose_save_answers:
            self.lose_save_answers -= 1
            raise transient("the connection timed out")
        return SaveReport(manifest_tracking_number=mtn, operation_status="Saved")

    async def update_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        self._enter("update_manifest", credentials)
        mtn = manifest.manifest_tracking_number
        if mtn not in self.manifests:
            raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"manifest {mtn} not found")
        self.store(
            msgspec.structs.replace(manifest, updated_date=format_epa_datetime(self.clock.now()))
        )
        if attachment:
            self.uploads[str(mtn)] = attachment
        return SaveReport(manifest_tracking_number=str(mtn), operation_status="Updated")

    async def delete_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        self._enter("delete_manifest", credentials)
        self.manifests.pop(mtn, None)
        return SaveReport(manifest_tracking_number=mtn, operation_status="Deleted")

    # --- corrections ---

    def _version_list(self, mtn: str) -> list[tuple[ManifestVersion, Manifest]]:
        """The versions of a manifest; a Signed manifest never corrected has its first."""
        if mtn not in self.versions:
            current = self.manifests[mtn]
            first = ManifestVersion(
                version_number=1,
                status=VersionStatus(current.current_status().value),
                active=True,
                created_date=current.created_date,
                updated_date=current.updated_date,
            )
            self.versions[mtn] = [(first, current)]
        return self.versions[mtn]

    def _version_report(self, mtn: str, status: str) -> SaveReport:
        number = self._version_list(mtn)[-1][0].version_number
        return SaveReport(
            manifest_tracking_number=mtn, operation_status=status, current_version_number=number
        )

    async def correct_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        self._enter("correct_manifest", credentials)
        self.corrections.append(manifest)
        mtn = str(manifest.manifest_tracking_number)
        if mtn not in self.manifests:
            raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"manifest {mtn} not found")
        versions = self._version_list(mtn)
        now = format_epa_datetime(self.clock.now())
        last, _ = versions[-1]
        under = last.status is VersionStatus.UNDER_CORRECTION
        number = last.version_number if under else last.version_number + 1
        summary = ManifestVersion(
            version_number=number,
            status=VersionStatus.UNDER_CORRECTION,
            active=True,
            created_date=last.created_date if under else now,
            updated_date=now,
        )
        content = msgspec.structs.replace(
            manifest,
            status=Status.UNDER_CORRECTION,
            updated_date=now,
            correction_info=CorrectionInfo(version_number=number, active=True),
        )
        kept = [(msgspec.structs.replace(v, active=False), m) for v, m in versions]
        self.versions[mtn] = [*(kept[:-1] if under else kept), (summary, content)]
        self.store(content)
        return self._version_report(mtn, "CorrectionUpdated" if under else "CorrectionCreated")

    async def revert_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        self._enter("revert_manifest", credentials)
        versions = self._version_list(mtn)
        if versions[-1][0].status is not VersionStatus.UNDER_CORRECTION:
            raise RcrainfoError(
                RcrainfoErrorKind.VALIDATION,
                "no version under correction",
                code="E_NoVersionForUnderCorrectionStatus",
            )
        versions.pop()
        summary, content = versions[-1]
        versions[-1] = (msgspec.structs.replace(summary, active=True), content)
        self.store(
            msgspec.structs.replace(content, updated_date=format_epa_datetime(self.clock.now()))
        )
        return self._version_report(mtn, "Reverted")

    async def correction_details(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> VersionHistory:
        self._enter("correction_details", credentials)
        if mtn not in self.manifests:
            raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"manifest {mtn} not found")
        return VersionHistory.of(mtn, (v for v, _ in self._version_list(mtn)))

    async def correction_version(
        self, credentials: RcrainfoCredentials, mtn: str, version_number: int
    ) -> Manifest:
        self._enter("correction_version", credentials)
        for summary, content in self._version_list(mtn):
            if summary.version_number == version_number:
                return content
        raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"no version {version_number}")

    def _sign_correction(self, mtn: str, command: QuickerSign) -> None:
        versions = self._version_list(mtn)
        summary, content = versions[-1]
        signature = ElectronicSignature(
            signature_date=format_epa_datetime(command.printed_signature_date),
            signature_method=SignatureMethod.QUICKER_SIGN,
        )
        signed = msgspec.structs.replace(content, status=Status.CORRECTED)
        versions[-1] = (
            msgspec.structs.replace(
                summary,
                status=VersionStatus.CORRECTED,
                epa_site_id=command.site_id,
                electronic_signatures_info=[signature],
            ),
            signed,
        )
        self.store(signed)

    async def quicker_sign(
        self, credentials: RcrainfoCredentials, command: QuickerSign
    ) -> SignReport:
        self._enter("quicker_sign", credentials)
        self.signatures.append(command)
        results = []
        for mtn in command.manifest_tracking_numbers:
            if mtn in self.refuse_signatures or mtn not in self.manifests:
                message = self.refuse_signatures.get(mtn, "Manifest not found")
                errors = [RcrainfoProblem(message=message)]
                results.append(
                    SignResult(manifest_tracking_number=mtn, signed=False, errors=errors)
                )
                continue
            if self.manifests[mtn].status is Status.UNDER_CORRECTION:
                self._sign_correction(mtn, command)
                results.append(SignResult(manifest_tracking_number=mtn, signed=True))
                continue
            self.store(_with_signature(self.manifests[mtn], command, self._next_status()))
            results.append(SignResult(manifest_tracking_number=mtn, signed=True))
        if self.lose_sign_answers:
            self.lose_sign_answers -= 1
            raise transient("the connection timed out")
        if not any(r.signed for r in results):  # as the port says: none signed is a refusal
            raise RcrainfoError(
                RcrainfoErrorKind.VALIDATION,
                "no manifest was signed",
                field_errors=[
                    RcrainfoProblem(message=e.message, value=r.manifest_tracking_number)
                    for r in results
                    for e in r.errors
                ],
            )
        status = "Completed" if all(r.signed for r in results) else "PartiallyCompleted"
        return SignReport(operation_status=status, results=results)

    def _next_status(self) -> Status | None:
        return self.statuses_after_signing.pop(0) if self.statuses_after_signing else None

    async def search_manifests(
        self,
        credentials: RcrainfoCredentials,
        *,
        site_id: str,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> list[str]:
        self._enter("search_manifests", credentials)
        low = updated_since or datetime(2018, 6, 30, tzinfo=UTC)
        high = updated_until or self.clock.now()
        return sorted(
            mtn
            for mtn, manifest in self.manifests.items()
            if site_id in manifest.site_ids() and low <= self.updated[mtn] <= high
        )

    async def site_tracking_numbers(
        self, credentials: RcrainfoCredentials, site_id: str
    ) -> list[str]:
        self._enter("site_tracking_numbers", credentials)
        return sorted(m for m, doc in self.manifests.items() if site_id in doc.site_ids())

    async def lookup(
        self, credentials: RcrainfoCredentials, lookup: Lookup
    ) -> list[CodeDescription]:
        self._enter("lookup", credentials)
        return self.lookups.get(lookup, [])

    async def state_waste_codes(
        self, credentials: RcrainfoCredentials, state: str
    ) -> list[CodeDescription]:
        self._enter("state_waste_codes", credentials)
        return self.state_codes.get(state, [])

    async def get_manifest_attachments(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> ManifestAttachments:
        self._enter("get_manifest_attachments", credentials)
        if mtn not in self.manifests:
            raise RcrainfoError(RcrainfoErrorKind.NOT_FOUND, f"manifest {mtn} not found")
        return ManifestAttachments(manifest=self.manifests[mtn], files=self.files.get(mtn, []))

    async def ui_link(self, credentials: RcrainfoCredentials, link: UiLink) -> str:
        """Records the link asked for and answers an address naming it; `refuse_links` holds
        the message to refuse a page with (the test's script, as `refuse_signatures`)."""
        self._enter("ui_link", credentials)
        self.links.append(link)
        refusal = self.refuse_links.get(link.page.value)
        if refusal is not None:
            raise RcrainfoError(
                RcrainfoErrorKind.VALIDATION,
                refusal,
                field_errors=[RcrainfoProblem(message=refusal, field="page")],
            )
        tail = f"/{link.manifest_tracking_number}" if link.manifest_tracking_number else ""
        return f"https://rcrainfo.test/links/{link.epa_site_id}/{link.page.value.lower()}{tail}"


def _with_signature(manifest: Manifest, command: QuickerSign, status: Status | None) -> Manifest:
    """The manifest as RCRAInfo's copy shows it after the signature: the named handler carries
    it, and the status is the scripted one (or unchanged)."""
    signature = ElectronicSignature(
        signature_date=format_epa_datetime(command.printed_signature_date),
        signature_method=SignatureMethod.QUICKER_SIGN,
    )

    def signed(handler: ManifestHandlerSite) -> ManifestHandlerSite:
        signatures = [*(handler.electronic_signatures_info or ()), signature]
        return msgspec.structs.replace(handler, electronic_signatures_info=signatures)

    changes: dict[str, object] = {"status": status or manifest.status}
    if command.site_type is HandlerRole.GENERATOR and manifest.generator is not None:
        changes["generator"] = signed(manifest.generator)
    elif command.site_type is HandlerRole.TRANSPORTER:
        changes["transporters"] = [
            signed(t) if t.order == command.transporter_order else t
            for t in manifest.transporters or ()
        ]
    elif manifest.designated_facility is not None:
        changes["designated_facility"] = signed(manifest.designated_facility)
    return msgspec.structs.replace(manifest, **changes)
