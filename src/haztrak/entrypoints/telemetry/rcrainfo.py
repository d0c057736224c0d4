"""Each e-Manifest operation in traces and metrics: the `Rcrainfo` port, observed.

A span per operation (`rcrainfo quicker_sign`), with the operation's name, its outcome and
EPA's error code. Nothing an operation is called with goes into a span: not the credentials
(API ID and key), not the token, not a URL (the login URL holds the key), not the manifest.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from opentelemetry.trace import SpanKind, Tracer

from haztrak.application.ports.rcrainfo import (
    Lookup,
    ManifestAttachments,
    QuickerSign,
    Rcrainfo,
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoUser,
    SaveReport,
    SignReport,
    SiteSearch,
)
from haztrak.domain.handlers import RcraSite
from haztrak.domain.manifest import CodeDescription, Manifest
from haztrak.domain.manifest.corrections import VersionHistory
from haztrak.domain.rcrainfo_links import UiLink
from haztrak.entrypoints.telemetry.tracing import record_error

if TYPE_CHECKING:
    from haztrak.entrypoints.telemetry.metrics import Metrics

T = TypeVar("T")

LOCKED_OUT_CODE = "E_SecurityApiIdLocked"


def outcome_of(error: BaseException | None) -> str:
    """ok; locked_out or credentials_refused (EPA refused the key itself: alert on these);
    else the kind of RcrainfoError (transient, validation, ...); error for anything else."""
    if error is None:
        return "ok"
    if not isinstance(error, RcrainfoError):
        return "error"
    if error.credentials_refused:
        return "locked_out" if error.code == LOCKED_OUT_CODE else "credentials_refused"
    return error.kind.value


class ObservedRcrainfo(Rcrainfo):
    def __init__(self, inner: Rcrainfo, tracer: Tracer | None, metrics: Metrics | None) -> None:
        self._inner = inner
        self._tracer = tracer
        self._metrics = metrics

    def __repr__(self) -> str:
        return f"<ObservedRcrainfo {self._inner!r}>"

    async def _observe(self, operation: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        failure: BaseException | None = None
        if self._tracer is None:
            try:
                return await call
            except BaseException as error:
                failure = error
                raise
            finally:
                self._count(operation, failure, started)
        with self._tracer.start_as_current_span(
            f"rcrainfo {operation}",
            kind=SpanKind.CLIENT,
            attributes={"rcrainfo.operation": operation},
            record_exception=False,  # its message may quote what EPA was sent
            set_status_on_exception=False,
        ) as span:
            try:
                return await call
            except BaseException as error:
                failure = error
                record_error(span, error)
                if isinstance(error, RcrainfoError) and error.code:
                    span.set_attribute("rcrainfo.error.code", error.code)
                raise
            finally:
                span.set_attribute("rcrainfo.outcome", outcome_of(failure))
                self._count(operation, failure, started)

    def _count(self, operation: str, failure: BaseException | None, started: float) -> None:
        if self._metrics is not None:
            self._metrics.rcrainfo_call(
                operation, outcome_of(failure), time.perf_counter() - started
            )

    async def get_site(self, credentials: RcrainfoCredentials, epa_id: str) -> RcraSite:
        return await self._observe("get_site", self._inner.get_site(credentials, epa_id))

    async def search_sites(
        self, credentials: RcrainfoCredentials, search: SiteSearch
    ) -> list[RcraSite]:
        return await self._observe("search_sites", self._inner.search_sites(credentials, search))

    async def search_users(
        self,
        credentials: RcrainfoCredentials,
        *,
        user_id: str | None = None,
        site_ids: Sequence[str] = (),
    ) -> list[RcrainfoUser]:
        return await self._observe(
            "search_users",
            self._inner.search_users(credentials, user_id=user_id, site_ids=site_ids),
        )

    async def get_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> Manifest:
        return await self._observe("get_manifest", self._inner.get_manifest(credentials, mtn))

    async def mtn_exists(self, credentials: RcrainfoCredentials, mtn: str) -> bool:
        return await self._observe("mtn_exists", self._inner.mtn_exists(credentials, mtn))

    async def save_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        return await self._observe(
            "save_manifest", self._inner.save_manifest(credentials, manifest, attachment)
        )

    async def update_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        return await self._observe(
            "update_manifest", self._inner.update_manifest(credentials, manifest, attachment)
        )

    async def delete_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        return await self._observe("delete_manifest", self._inner.delete_manifest(credentials, mtn))

    async def correct_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        return await self._observe(
            "correct_manifest", self._inner.correct_manifest(credentials, manifest, attachment)
        )

    async def revert_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        return await self._observe("revert_manifest", self._inner.revert_manifest(credentials, mtn))

    async def correction_details(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> VersionHistory:
        return await self._observe(
            "correction_details", self._inner.correction_details(credentials, mtn)
        )

    async def correction_version(
        self, credentials: RcrainfoCredentials, mtn: str, version_number: int
    ) -> Manifest:
        return await self._observe(
            "correction_version",
            self._inner.correction_version(credentials, mtn, version_number),
        )

    async def quicker_sign(
        self, credentials: RcrainfoCredentials, command: QuickerSign
    ) -> SignReport:
        return await self._observe("quicker_sign", self._inner.quicker_sign(credentials, command))

    async def search_manifests(
        self,
        credentials: RcrainfoCredentials,
        *,
        site_id: str,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> list[str]:
        return await self._observe(
            "search_manifests",
            self._inner.search_manifests(
                credentials,
                site_id=site_id,
                updated_since=updated_since,
                updated_until=updated_until,
            ),
        )

    async def site_tracking_numbers(
        self, credentials: RcrainfoCredentials, site_id: str
    ) -> list[str]:
        return await self._observe(
            "site_tracking_numbers", self._inner.site_tracking_numbers(credentials, site_id)
        )

    async def lookup(
        self, credentials: RcrainfoCredentials, lookup: Lookup
    ) -> list[CodeDescription]:
        return await self._observe("lookup", self._inner.lookup(credentials, lookup))

    async def state_waste_codes(
        self, credentials: RcrainfoCredentials, state: str
    ) -> list[CodeDescription]:
        return await self._observe(
            "state_waste_codes", self._inner.state_waste_codes(credentials, state)
        )

    async def get_manifest_attachments(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> ManifestAttachments:
        return await self._observe(
            "get_manifest_attachments", self._inner.get_manifest_attachments(credentials, mtn)
        )

    async def ui_link(self, credentials: RcrainfoCredentials, link: UiLink) -> str:
        return await self._observe("ui_link", self._inner.ui_link(credentials, link))
