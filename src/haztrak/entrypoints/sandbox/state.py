"""Everything the sandbox knows, for one process, kept on disk unless it is a throw-away one.

Manifests are kept as the plain JSON dicts e-Manifest would return: what the caller saved plus
the fields the system sets. Handlers read the dictionaries here; every change goes through a
method of the state, which writes it to the store first (`store`: a SQLite file of the
sandbox's own, or nothing) and then to memory. One re-entrant lock guards every change and
every use of the store; handlers hold it only while they read or write, never across an await.

Sites and users are the seed's and never change, so they are built, not stored. What a restart
must not lose is stored: manifests and attachments, the tracking-number counter (a number is
never issued twice, not even after a reset), the time of the last write (updatedDate never goes
back), the token secret and grants, failed logins and lockouts.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import msgspec

from haztrak.entrypoints.sandbox.clock import SandboxClock
from haztrak.entrypoints.sandbox.config import SandboxSettings
from haztrak.entrypoints.sandbox.faults import ConnectionRegistry, FaultConfig, FaultInjector
from haztrak.entrypoints.sandbox.seed import build_seed, esign_info
from haztrak.entrypoints.sandbox.sites import EsignInfo, SiteRecord
from haztrak.entrypoints.sandbox.store import (
    SandboxStateUnavailable,
    SandboxStore,
    Snapshot,
    SqliteSandboxStore,
)
from haztrak.entrypoints.sandbox.users import Level, RcraUser

ELECTRONIC_SUFFIX = "ELC"
TOKEN_KEEP = timedelta(days=1)
"""Grants expired longer ago than this are dropped from the store when a new one is made."""
ManifestDocument = dict[str, Any]

__all__ = ["SandboxState", "SandboxStateUnavailable", "TokenGrant"]


class TokenGrant(msgspec.Struct, kw_only=True):
    token_id: str
    user_id: str
    api_id: str
    expires_at: datetime


def open_store(settings: SandboxSettings) -> SandboxStore:
    """The store the settings ask for: the state file, or none (`state_file` unset)."""
    if settings.state_file is None:
        return SandboxStore()
    return SqliteSandboxStore(settings.state_file)


class SandboxState:
    def __init__(
        self,
        settings: SandboxSettings | None = None,
        *,
        seeded: bool = True,
        store: SandboxStore | None = None,
    ) -> None:
        self.settings = settings or SandboxSettings()
        self.lock = threading.RLock()
        self.clock = SandboxClock()
        self.faults = FaultInjector(
            FaultConfig.from_settings(self.settings), self.settings.fault_seed
        )
        self.connections = ConnectionRegistry()
        self.store = store if store is not None else open_store(self.settings)
        self.token_secret = secrets.token_bytes(32)
        self.sites: dict[str, SiteRecord] = {}
        self.users: dict[str, RcraUser] = {}
        self.tokens: dict[str, TokenGrant] = {}
        self.failed_logins: dict[str, int] = {}
        self.locked_api_ids: set[str] = set()
        self.manifests: dict[str, ManifestDocument] = {}
        self.attachments: dict[str, bytes] = {}
        self.versions: dict[str, list[ManifestDocument]] = {}
        """MTN -> its versions (corrections), oldest first; none kept: one version."""
        self.next_serial = 1
        self._esign: dict[str, EsignInfo] = {}
        self._last_write: datetime | None = None
        try:
            stored = self.store.load()
            if stored is not None:
                self._restore(stored)
            elif seeded:
                self.reset()
            else:
                self.store.replace(
                    Snapshot(
                        manifests={},
                        attachments={},
                        next_serial=self.next_serial,
                        token_secret=self.token_secret,
                    )
                )
        except BaseException:
            self.store.close()
            raise

    @property
    def location(self) -> str:
        """Where the state is kept: the state file, or `memory`."""
        return self.store.location

    def close(self) -> None:
        """Let go of the state file (another process may open it then)."""
        with self.lock:
            self.store.close()

    def __enter__(self) -> SandboxState:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _restore(self, stored: Snapshot) -> None:
        seed = build_seed()
        with self.lock:
            self.sites = seed.sites
            self.users = seed.users
            self.manifests = stored.manifests
            self.attachments = stored.attachments
            self.versions = dict(stored.versions)
            self.next_serial = stored.next_serial
            self._last_write = stored.last_write
            self.token_secret = stored.token_secret
            self.tokens = {
                token_id: msgspec.json.decode(grant, type=TokenGrant)
                for token_id, grant in stored.tokens.items()
            }
            self.failed_logins = dict(stored.failed_logins)
            self.locked_api_ids = set(stored.locked_api_ids)

    def reset(self) -> None:
        """Back to the seed: seeded data, no tokens or lockouts, start-up faults, real time.

        The tracking-number counter and the time of the last write do not go back: a number
        issued before the reset is never issued again, and updatedDate keeps moving forward."""
        seed = build_seed()
        with self.lock:
            next_serial = max(self.next_serial, seed.next_serial)
            self.store.replace(
                Snapshot(
                    manifests=seed.manifests,
                    attachments=seed.attachments,
                    next_serial=next_serial,
                    last_write=self._last_write,
                    token_secret=self.token_secret,
                )
            )
            self.sites = seed.sites
            self.users = seed.users
            self.manifests = seed.manifests
            self.attachments = seed.attachments
            self.versions = {}
            self.next_serial = next_serial
            self.tokens.clear()
            self.failed_logins.clear()
            self.locked_api_ids.clear()
            self._esign.clear()
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
        """The next electronic MTN; the counter only goes up, so a number is never reused.

        The counter is stored with the manifest that takes the number (`put_manifest`): a
        number whose manifest was never stored was never told to anyone."""
        with self.lock:
            serial = self.next_serial
            self.next_serial += 1
        return f"{serial:09d}{ELECTRONIC_SUFFIX}"

    def put_manifest(
        self,
        mtn: str,
        document: ManifestDocument,
        attachment: bytes | None = None,
        *,
        versions: list[ManifestDocument] | None = None,
    ) -> None:
        """Store a manifest (new or changed) and its attachment, if one came with it, and its
        versions when they changed (a correction, a revert, a signed correction)."""
        with self.lock:
            self.store.put_manifest(
                mtn,
                document,
                attachment,
                next_serial=self.next_serial,
                last_write=self._last_write,
                versions=versions,
            )
            self.manifests[mtn] = document
            if attachment is not None:
                self.attachments[mtn] = attachment
            if versions is not None:
                self.versions[mtn] = versions

    def put_manifests(self, documents: dict[str, ManifestDocument], *, next_serial: int) -> None:
        """Many new manifests at once (a bulk seed), in one write; the counter moves past them."""
        with self.lock:
            next_serial = max(next_serial, self.next_serial)
            self.store.put_manifests(documents, next_serial=next_serial)
            self.manifests.update(documents)
            self.next_serial = next_serial

    def remove_manifest(self, mtn: str) -> None:
        with self.lock:
            self.store.delete_manifest(mtn)
            self.manifests.pop(mtn, None)
            self.attachments.pop(mtn, None)
            self.versions.pop(mtn, None)

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

    # -- tokens and logins -------------------------------------------------------------------

    def grant_token(self, grant: TokenGrant) -> None:
        """Keep a new token's grant; a successful login clears the API ID's failures."""
        with self.lock:
            self.store.drop_tokens_expired_before(self.now() - TOKEN_KEEP)
            self.store.put_token(grant.token_id, grant.expires_at, msgspec.json.encode(grant))
            self.tokens[grant.token_id] = grant
            if grant.api_id in self.failed_logins:
                failed = {k: v for k, v in self.failed_logins.items() if k != grant.api_id}
                self.store.put_logins(failed, self.locked_api_ids)
                self.failed_logins = failed

    def expire_tokens(self) -> int:
        """Every live token expires now; answers how many were live."""
        with self.lock:
            now = self.now()
            live = [g for g in self.tokens.values() if g.expires_at > now]
            expired = [msgspec.structs.replace(g, expires_at=now) for g in live]
            self.store.put_tokens(
                {g.token_id: (g.expires_at, msgspec.json.encode(g)) for g in expired}
            )
            self.tokens.update((g.token_id, g) for g in expired)
            return len(live)

    def login_failed(self, api_id: str) -> bool:
        """Count a failed login; answers whether the API ID is locked now."""
        with self.lock:
            failures = self.failed_logins.get(api_id, 0) + 1
            failed = {**self.failed_logins, api_id: failures}
            locked = self.locked_api_ids
            if failures >= self.settings.lockout_threshold:
                locked = locked | {api_id}
            self.store.put_logins(failed, locked)
            self.failed_logins, self.locked_api_ids = failed, locked
            return api_id in locked

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
