"""Everything the sandbox knows, in memory, for one process.

Manifests are kept as the plain JSON dicts e-Manifest would return: what the caller saved plus
the fields the system sets. One re-entrant lock guards every change; handlers hold it only
while they read or write these dicts, never across an await.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import msgspec

from haztrak.entrypoints.sandbox.clock import SandboxClock
from haztrak.entrypoints.sandbox.config import SandboxSettings
from haztrak.entrypoints.sandbox.faults import ConnectionRegistry, FaultConfig, FaultInjector
from haztrak.entrypoints.sandbox.seed import build_seed, esign_info
from haztrak.entrypoints.sandbox.sites import EsignInfo, SiteRecord
from haztrak.entrypoints.sandbox.users import Level, RcraUser

ELECTRONIC_SUFFIX = "ELC"
ManifestDocument = dict[str, Any]


class TokenGrant(msgspec.Struct, kw_only=True):
    token_id: str
    user_id: str
    api_id: str
    expires_at: datetime


class SandboxState:
    def __init__(self, settings: SandboxSettings | None = None, *, seeded: bool = True) -> None:
        self.settings = settings or SandboxSettings()
        self.lock = threading.RLock()
        self.clock = SandboxClock()
        self.faults = FaultInjector(
            FaultConfig.from_settings(self.settings), self.settings.fault_seed
        )
        self.connections = ConnectionRegistry()
        self.token_secret = secrets.token_bytes(32)
        self.sites: dict[str, SiteRecord] = {}
        self.users: dict[str, RcraUser] = {}
        self.tokens: dict[str, TokenGrant] = {}
        self.failed_logins: dict[str, int] = {}
        self.locked_api_ids: set[str] = set()
        self.manifests: dict[str, ManifestDocument] = {}
        self.attachments: dict[str, bytes] = {}
        self.next_serial = 1
        self._esign: dict[str, EsignInfo] = {}
        self._last_write: datetime | None = None
        if seeded:
            self.reset()

    def reset(self) -> None:
        """Back to the seed: seeded data, no tokens or lockouts, start-up faults, real time."""
        seed = build_seed()
        with self.lock:
            self.sites = seed.sites
            self.users = seed.users
            self.manifests = seed.manifests
            self.attachments = seed.attachments
            self.next_serial = seed.next_serial
            self.tokens.clear()
            self.failed_logins.clear()
            self.locked_api_ids.clear()
            self._esign.clear()
            self._last_write = None
            self.clock.reset()
            self.faults.clear()

    # -- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def write_time(self) -> datetime:
        """The time of a write, strictly after the previous write, so updatedDate always moves."""
        with self.lock:
            now = self.clock.now()
            if self._last_write is not None and now <= self._last_write:
                now = self._last_write + timedelta(milliseconds=1)
            self._last_write = now
            return now

    # -- registry -----------------------------------------------------------------------------

    def site(self, epa_id: str) -> SiteRecord | None:
        return self.sites.get(epa_id)

    def esign(self, epa_id: str) -> EsignInfo:
        with self.lock:
            if epa_id not in self._esign:
                self._esign[epa_id] = esign_info(self.users, epa_id)
            return self._esign[epa_id]

    def user_by_api_id(self, api_id: str) -> RcraUser | None:
        return next((u for u in self.users.values() if u.api_id == api_id), None)

    # -- manifests ----------------------------------------------------------------------------

    def allocate_tracking_number(self) -> str:
        """The next electronic MTN; the counter only goes up, so a number is never reused."""
        with self.lock:
            serial = self.next_serial
            self.next_serial += 1
        return f"{serial:09d}{ELECTRONIC_SUFFIX}"

    def manifest_copy(self, mtn: str) -> ManifestDocument | None:
        with self.lock:
            stored = self.manifests.get(mtn)
            return None if stored is None else copy.deepcopy(stored)

    def visible_manifests(self, user: RcraUser) -> Iterator[ManifestDocument]:
        with self.lock:
            documents = list(self.manifests.values())
        for document in documents:
            if user_level_on(user, document) > Level.NONE:
                yield document

    def listing(self) -> list[dict[str, Any]]:
        return [user.listing() for user in self.users.values()]


def handler_site_ids(document: ManifestDocument) -> set[str]:
    """Every EPA ID on a manifest: generator, transporters, facilities, broker."""
    ids: set[str] = set()
    for handler in handlers_of(document):
        epa_id = handler.get("epaSiteId")
        if isinstance(epa_id, str):
            ids.add(epa_id)
    return ids


def handlers_of(document: ManifestDocument) -> Iterator[dict[str, Any]]:
    for key in ("generator", "designatedFacility", "broker"):
        handler = document.get(key)
        if isinstance(handler, dict):
            yield handler
    for transporter in document.get("transporters") or ():
        if isinstance(transporter, dict):
            yield transporter
    rejection_info = document.get("rejectionInfo")
    if isinstance(rejection_info, dict):
        alternate = rejection_info.get("alternateDesignatedFacility")
        if isinstance(alternate, dict):
            yield alternate


def user_level_on(user: RcraUser, document: ManifestDocument) -> Level:
    """The user's best e-Manifest level on any site of the manifest."""
    return max(
        (user.emanifest_level(site_id) for site_id in handler_site_ids(document)),
        default=Level.NONE,
    )
