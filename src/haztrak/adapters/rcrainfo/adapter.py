"""The `Rcrainfo` port on EPA's `emanifest` client (sandbox, preprod or production alike).

Threads. The client is synchronous (a `requests.Session`). Every call runs in this adapter's own
thread pool, whose size is the concurrency limit: however many tasks call at once, at most that
many requests are in flight, and the event loop never waits on the network. The pool is not tied
to an event loop, so one adapter serves every loop of the process.

Clients. One client per API ID (the dict key is a hash of the ID), for as long as the key stays
the same; a new key gets a new client. Calls of one org share its client and its token.

Tokens. The adapter logs in itself (`auto_renew` is off) before a call when the token has less
than a minute left, and once more when RCRAInfo answers that the token expired or is invalid,
then repeats the call. Logins of one client are serialised, so concurrent calls log in once.
With a token store, tokens are shared through the cache by every worker using the API ID: a
worker takes a live shared token before it logs in, and shares each token it gets.

Retries. Reads (site, manifest and user look-ups, searches, code lists) meet a transient failure
with a few more tries after a short backoff, so that one 503 does not cost a task its attempt.
Writes are sent once: after a failure their outcome is unknown, and the task decides.

Refusals. When RCRAInfo refuses the credentials (a failed login, or E_SecurityApiInvalidStatus on
a call) the adapter raises UNAUTHORIZED and never sends those credentials again: three failed
logins lock the API ID. Later calls with the same API ID and key fail at once, without a
request, until the key changes. With a cache, other processes learn of the refusal too (for a
day; by then the org is flagged as failing).

Secrets. No answer, error, log line or `repr` holds the API key or the token: errors keep only
the exception type of a transport failure (its text names the URL, and the login URL holds the
key), and are raised outside `except` blocks so that no driver exception rides along as context.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import msgspec
import requests

from haztrak.adapters.rcrainfo import answers
from haztrak.adapters.rcrainfo.answers import Answer
from haztrak.adapters.rcrainfo.client import EmanifestClient
from haztrak.adapters.rcrainfo.endpoint import RcrainfoEndpoint
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.rcrainfo import (
    Lookup,
    ManifestAttachments,
    QuickerSign,
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoErrorKind,
    RcrainfoFile,
    RcrainfoProblem,
    RcrainfoUser,
    SaveReport,
    SignReport,
    SiteSearch,
)
from haztrak.application.ports.security import Clock
from haztrak.application.rcrainfo.tokens import RENEW_BEFORE, RcrainfoToken, RcrainfoTokenStore
from haztrak.domain.handlers import RcraSite, is_epa_id
from haztrak.domain.manifest import (
    CodeDescription,
    Manifest,
    format_epa_datetime,
    is_tracking_number,
)
from haztrak.domain.manifest.corrections import VersionHistory
from haztrak.domain.rcrainfo_links import UiLink
from haztrak.domain.secrets import Secret

log = logging.getLogger("haztrak.rcrainfo")

T = TypeVar("T")
Call = Callable[[EmanifestClient], Any]

DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_READ_ATTEMPTS = 5
"""Tries of a read that meets transient failures, within one task attempt: with 30% of
requests failing, five tries fail together about once in 400 reads."""
DEFAULT_READ_BACKOFF_SECONDS = 0.2
READ_BACKOFF_MAX_SECONDS = 2.0
REFUSAL_TTL_SECONDS = 24 * 60 * 60
MAX_USER_PAGES = 100
EMANIFEST_START = datetime(2018, 6, 30, tzinfo=UTC)
"""e-Manifest went live on 30 June 2018; no manifest was updated before."""
_UNPARSED_EXPIRY_LIFETIME = timedelta(minutes=10)

_LOOKUP_CALLS = {
    Lookup.FEDERAL_WASTE_CODES: "get_fed_waste_codes",
    Lookup.MANAGEMENT_METHODS: "get_man_method_codes",
    Lookup.FORM_CODES: "get_form_codes",
    Lookup.SOURCE_CODES: "get_source_codes",
    Lookup.DENSITY_UNITS: "get_density_uom",
    Lookup.CONTAINER_TYPES: "get_container_types",
    Lookup.UNITS_OF_MEASURE: "get_quantity_uom",
    Lookup.LOAD_TYPES: "get_load_types",
}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def account_id(base_url: str, credentials: RcrainfoCredentials) -> str:
    """The opaque name of one API ID with one key at one RCRAInfo: tokens and refusals are
    shared under it, so a token got with one key never serves another."""
    return _digest("credentials", base_url, credentials.api_id, credentials.api_key.reveal())


class _Login(msgspec.Struct, frozen=True):
    """How a token was made sure of: the token, whether it is new (to be shared), or why not."""

    token: str | None = None
    expires_at: datetime | None = None
    new: bool = False
    error: RcrainfoError | None = None


class _Account:
    """One API ID with one key: its client, its login lock and whether RCRAInfo refused it."""

    def __init__(
        self,
        fingerprint: str,
        label: str,
        client: EmanifestClient,
        refusals: dict[str, RcrainfoError],
    ) -> None:
        self.fingerprint = fingerprint
        self.label = label
        self.client = client
        self.lock = threading.Lock()
        self._refusals = refusals

    @property
    def refusal(self) -> RcrainfoError | None:
        return self._refusals.get(self.fingerprint)

    def refuse(self, error: RcrainfoError) -> None:
        # Kept by fingerprint, not on the account: an account is replaced when the key
        # changes, and a refused key that comes back must still not be tried.
        self._refusals[self.fingerprint] = error

    def refused(self) -> RcrainfoError | None:
        """A fresh error for the remembered refusal (an exception is raised once)."""
        if self.refusal is None:
            return None
        return RcrainfoError(
            RcrainfoErrorKind.UNAUTHORIZED,
            f"{self.refusal.message} (not tried again until the API key changes)",
            code=self.refusal.code,
            credentials_refused=True,
        )


class EmanifestRcrainfo:
    def __init__(
        self,
        endpoint: RcrainfoEndpoint,
        *,
        clock: Clock,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        tokens: RcrainfoTokenStore | None = None,
        cache: Cache | None = None,
        read_attempts: int = DEFAULT_READ_ATTEMPTS,
        read_backoff_seconds: float = DEFAULT_READ_BACKOFF_SECONDS,
    ) -> None:
        if concurrency < 1:
            raise ValueError("the RCRAInfo concurrency limit must be at least 1")
        if read_attempts < 1:
            raise ValueError("a read is tried at least once")
        self._read_attempts = read_attempts
        self._read_backoff = read_backoff_seconds
        self.endpoint = endpoint
        self._clock = clock
        self._concurrency = concurrency
        self._timeout = timeout_seconds
        self._tokens = tokens
        self._cache = cache
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="rcrainfo")
        self._accounts: dict[str, _Account] = {}
        self._accounts_lock = threading.Lock()
        self._refusals: dict[str, RcrainfoError] = {}

    def __repr__(self) -> str:
        return f"<EmanifestRcrainfo {self.endpoint.base_url}>"

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._accounts_lock:
            accounts = list(self._accounts.values())
            self._accounts.clear()
        for account in accounts:
            account.client.close()

    # -- sites and users -------------------------------------------------------------------

    async def get_site(self, credentials: RcrainfoCredentials, epa_id: str) -> RcraSite:
        _check_epa_id(epa_id)
        what = f"site details of {epa_id}"
        return await self._read(
            credentials,
            what,
            lambda c: c.get_site(epa_id),
            lambda answer: answers.site(answers.data_object(answer, what), what),
        )

    async def search_sites(
        self, credentials: RcrainfoCredentials, search: SiteSearch
    ) -> list[RcraSite]:
        criteria = {
            "epaSiteId": search.epa_site_id,
            "name": search.name,
            "siteType": search.site_type.value if search.site_type else None,
            "state": search.state,
            "pageNumber": search.page,
        }
        arguments: dict[str, Any] = {k: v for k, v in criteria.items() if v is not None}
        what = "a site search"
        body = await self._read(
            credentials,
            what,
            lambda c: c.search_sites(**arguments),
            lambda answer: answers.data_object(answer, what),
        )
        return [answers.site(site, what) for site in body.get("sites") or []]

    async def search_users(
        self,
        credentials: RcrainfoCredentials,
        *,
        user_id: str | None = None,
        site_ids: Sequence[str] = (),
    ) -> list[RcrainfoUser]:
        criteria: dict[str, Any] = {}
        if user_id:
            criteria["userId"] = user_id
        if site_ids:
            criteria["siteIds"] = list(site_ids)
        what = "a user search"
        users: list[RcrainfoUser] = []
        for page in range(1, MAX_USER_PAGES + 1):
            body = await self._read(
                credentials,
                what,
                _user_search(criteria | {"pageNumber": page}),
                lambda answer: answers.data_object(answer, what),
            )
            users.extend(answers.users(body))
            if page >= _whole(body.get("totalNumberOfPages"), 1):
                break
        return users

    # -- manifests -------------------------------------------------------------------------

    async def get_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> Manifest:
        _check_tracking_number(mtn)
        what = f"manifest {mtn}"
        return await self._read(
            credentials,
            what,
            lambda c: c.get_manifest(mtn),
            lambda answer: answers.manifest(answers.data_object(answer, what), what),
        )

    async def mtn_exists(self, credentials: RcrainfoCredentials, mtn: str) -> bool:
        _check_tracking_number(mtn)
        what = f"whether manifest {mtn} exists"
        body = await self._read(
            credentials,
            what,
            lambda c: c.check_mtn_exists(mtn),
            lambda answer: answers.data_object(answer, what),
        )
        return body.get("result") is True

    async def save_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        document = msgspec.to_builtins(manifest.for_emanifest())
        what = "the manifest"
        answer = await self._call(
            credentials, what, lambda c: c.save_manifest(document, attachment or None)
        )
        return answers.save_report(answer, what, document.get("manifestTrackingNumber"))

    async def update_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        document = msgspec.to_builtins(manifest.for_emanifest())
        mtn = document.get("manifestTrackingNumber")
        if not isinstance(mtn, str) or not is_tracking_number(mtn):
            raise _invalid(
                "manifestTrackingNumber", "an update needs the manifest's tracking number"
            )
        what = f"the update of manifest {mtn}"
        answer = await self._call(
            credentials, what, lambda c: c.update_manifest(document, attachment or None)
        )
        return answers.save_report(answer, what, mtn)

    async def delete_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        _check_tracking_number(mtn)
        what = f"the deletion of manifest {mtn}"
        answer = await self._call(credentials, what, lambda c: c.delete_manifest(mtn))
        return answers.save_report(answer, what, mtn)

    async def correct_manifest(
        self,
        credentials: RcrainfoCredentials,
        manifest: Manifest,
        attachment: bytes | None = None,
    ) -> SaveReport:
        document = msgspec.to_builtins(manifest.for_emanifest())
        mtn = document.get("manifestTrackingNumber")
        if not isinstance(mtn, str) or not is_tracking_number(mtn):
            raise _invalid(
                "manifestTrackingNumber", "a correction needs the manifest's tracking number"
            )
        what = f"the correction of manifest {mtn}"
        # EmanifestClient.correct_manifest sends the Content-Type the client forgets.
        answer = await self._call(
            credentials, what, lambda c: c.correct_manifest(document, attachment or None)
        )
        return answers.save_report(answer, what, mtn)

    async def revert_manifest(self, credentials: RcrainfoCredentials, mtn: str) -> SaveReport:
        _check_tracking_number(mtn)
        what = f"the revert of manifest {mtn}"
        answer = await self._call(credentials, what, lambda c: c.revert_manifest(mtn))
        return answers.save_report(answer, what, mtn)

    async def correction_details(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> VersionHistory:
        _check_tracking_number(mtn)
        what = f"the versions of manifest {mtn}"
        return await self._read(
            credentials,
            what,
            lambda c: c.get_correction(mtn),
            lambda answer: answers.version_history(answers.data_object(answer, what), mtn, what),
        )

    async def correction_version(
        self, credentials: RcrainfoCredentials, mtn: str, version_number: int
    ) -> Manifest:
        _check_tracking_number(mtn)
        if version_number < 1:
            raise _invalid("versionNumber", "versions are numbered from 1")
        what = f"version {version_number} of manifest {mtn}"
        criteria: dict[str, Any] = {"manifestTrackingNumber": mtn, "versionNumber": version_number}
        return await self._read(
            credentials,
            what,
            lambda c: c.get_correction_version(**criteria),
            lambda answer: answers.manifest(answers.data_object(answer, what), what),
        )

    async def quicker_sign(
        self, credentials: RcrainfoCredentials, command: QuickerSign
    ) -> SignReport:
        _check_epa_id(command.site_id, "siteId")
        for mtn in command.manifest_tracking_numbers:
            _check_tracking_number(mtn)
        signed_at = command.printed_signature_date
        if signed_at.tzinfo is None:
            signed_at = signed_at.replace(tzinfo=UTC)
        arguments: dict[str, Any] = {
            "siteId": command.site_id,
            "siteType": command.site_type.value,
            "printedSignatureName": command.printed_signature_name,
            "printedSignatureDate": format_epa_datetime(signed_at),
            "manifestTrackingNumbers": list(command.manifest_tracking_numbers),
        }
        if command.transporter_order is not None:
            arguments["transporterOrder"] = command.transporter_order
        answer = await self._call(
            credentials, "Quicker Sign", lambda c: c.sign_manifest(**arguments)
        )
        return answers.sign_report(answer)

    async def search_manifests(
        self,
        credentials: RcrainfoCredentials,
        *,
        site_id: str,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> list[str]:
        _check_epa_id(site_id, "siteId")
        criteria: dict[str, Any] = {"siteId": site_id}
        if updated_since is not None or updated_until is not None:
            criteria |= {
                "dateType": "UpdatedDate",
                "startDate": format_epa_datetime(_aware(updated_since or EMANIFEST_START)),
                "endDate": format_epa_datetime(_aware(updated_until or self._clock.now())),
            }
        what = f"a manifest search for {site_id}"
        found = await self._read(
            credentials,
            what,
            lambda c: c.search_mtn(**criteria),
            lambda answer: answers.data_list(answer, what),
        )
        return [str(mtn) for mtn in found]

    async def site_tracking_numbers(
        self, credentials: RcrainfoCredentials, site_id: str
    ) -> list[str]:
        _check_epa_id(site_id, "siteId")
        what = f"the tracking numbers of {site_id}"
        found = await self._read(
            credentials,
            what,
            lambda c: c.get_site_mtn(site_id),
            lambda answer: answers.data_list(answer, what),
        )
        return [str(mtn) for mtn in found]

    async def get_manifest_attachments(
        self, credentials: RcrainfoCredentials, mtn: str
    ) -> ManifestAttachments:
        _check_tracking_number(mtn)
        what = f"the attachments of manifest {mtn}"
        downloads: list[_Download] = []
        return await self._read(
            credentials,
            what,
            partial(_download_attachments, downloads, mtn),
            lambda answer: _attachments(answer, what, downloads),
        )

    async def ui_link(self, credentials: RcrainfoCredentials, link: UiLink) -> str:
        _check_epa_id(link.epa_site_id)
        for mtn in (link.manifest_tracking_number, *link.filter):
            if mtn is not None:
                _check_tracking_number(mtn)
        what = f"the RCRAInfo {link.page.value} link"
        body: Any = link.request()  # UILinkArgs, checked by UiLink.of
        return await self._read(
            credentials,
            what,
            lambda c: _LinkResponse(c.get_ui_link(**body)),
            lambda answer: _ui_link_url(answer, what),
        )

    # -- lookups ---------------------------------------------------------------------------

    async def lookup(
        self, credentials: RcrainfoCredentials, lookup: Lookup
    ) -> list[CodeDescription]:
        method = _LOOKUP_CALLS[lookup]
        what = f"the {lookup.value} lookup"
        return await self._read(
            credentials,
            what,
            lambda c: getattr(c, method)(),
            lambda answer: answers.code_descriptions(answers.data_list(answer, what), what),
        )

    async def state_waste_codes(
        self, credentials: RcrainfoCredentials, state: str
    ) -> list[CodeDescription]:
        if len(state) != 2 or not state.isalpha():
            raise _invalid("stateCode", "a state is its two-letter postal code")
        code = state.upper()
        what = f"the state waste codes of {code}"
        return await self._read(
            credentials,
            what,
            lambda c: c.get_state_waste_codes(code),
            lambda answer: answers.code_descriptions(answers.data_list(answer, what), what),
        )

    # -- the machinery ---------------------------------------------------------------------

    async def _read(
        self,
        credentials: RcrainfoCredentials,
        what: str,
        call: Call,
        read: Callable[[Answer], T],
    ) -> T:
        """A request that changes nothing in RCRAInfo, and what it answered. A transient
        failure (5xx, 408, 429, no answer, an unreadable body, a failed login) is tried again
        up to `read_attempts` times in all, after a short backoff with jitter, while less than
        the request timeout has passed; then the error goes to the task, which retries later.
        Writes (save, update, delete, sign) never come here: their outcome is unknown after a
        failure, and the task that sent them finds out before it sends them again."""
        started = time.monotonic()
        for attempt in range(1, self._read_attempts + 1):
            outcome: T | RcrainfoError
            try:
                outcome = read(await self._call(credentials, what, call))
            except RcrainfoError as error:
                outcome = error
            if not isinstance(outcome, RcrainfoError):
                return outcome
            spent = time.monotonic() - started
            if not outcome.retryable or attempt >= self._read_attempts or spent >= self._timeout:
                raise outcome
            pause = min(self._read_backoff * 2 ** (attempt - 1), READ_BACKOFF_MAX_SECONDS)
            pause *= 0.5 + random.random() / 2  # noqa: S311 - jitter, not a secret
            log.info(
                "RCRAInfo %s: %s; trying again in %.2fs (%d of %d)",
                what,
                outcome.message,
                pause,
                attempt + 1,
                self._read_attempts,
            )
            await asyncio.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _call(self, credentials: RcrainfoCredentials, what: str, call: Call) -> Answer:
        """One request with a live token; a token RCRAInfo no longer takes is renewed once."""
        account = self._account(credentials)
        refused = account.refused()
        if refused is not None:
            raise refused
        token = await self._ensure_token(account, credentials)
        answer = await self._send(account, what, call)
        if answers.is_token_problem(answer):
            log.info(
                "RCRAInfo refused the token of %s (%s); logging in again",
                account.label,
                answer.code,
            )
            await self._ensure_token(account, credentials, stale=token)
            answer = await self._send(account, what, call)
        if not answer.ok:
            error = answers.failure(answer, what)
            if error.credentials_refused:
                await self._refuse(account, error)
        return answer

    async def _send(self, account: _Account, what: str, call: Call) -> Answer:
        outcome = await self._in_pool(partial(self._request, account, what, call))
        if isinstance(outcome, RcrainfoError):
            raise outcome
        return outcome

    async def _in_pool(self, work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, work)

    def _account(self, credentials: RcrainfoCredentials) -> _Account:
        key = _digest("api-id", self.endpoint.base_url, credentials.api_id)
        fingerprint = account_id(self.endpoint.base_url, credentials)
        with self._accounts_lock:
            account = self._accounts.get(key)
            if account is not None and account.fingerprint == fingerprint:
                return account
            replaced = account
            account = _Account(
                fingerprint,
                f"API ID #{key[:8]}",
                EmanifestClient(self.endpoint, timeout=self._timeout, pool_size=self._concurrency),
                self._refusals,
            )
            self._accounts[key] = account
        if replaced is not None:
            log.info("RCRAInfo credentials of %s changed; new client", account.label)
            replaced.client.close()
        return account

    def _refusal_key(self, account: _Account) -> str:
        return f"rcrainfo:refused:{_digest('refused', account.fingerprint)[:40]}"

    async def _check_not_refused_elsewhere(self, account: _Account) -> None:
        """Before a login: did another worker see these credentials refused?"""
        shared = await self._shared_refusal(account) if self._cache is not None else None
        if shared is not None:
            account.refuse(shared)
            refused = account.refused()
            assert refused is not None
            raise refused

    async def _shared_refusal(self, account: _Account) -> RcrainfoError | None:
        assert self._cache is not None
        try:
            stored = await self._cache.get(self._refusal_key(account))
        except Exception:  # a failing cache is a miss
            log.warning("cache unavailable; RCRAInfo refusals are not shared")
            return None
        if stored is None:
            return None
        code = stored.decode(errors="replace") or None
        return RcrainfoError(
            RcrainfoErrorKind.UNAUTHORIZED,
            "RCRAInfo refused these credentials in another worker",
            code=code,
            credentials_refused=True,
        )

    async def _refuse(self, account: _Account, error: RcrainfoError) -> None:
        """Remember that RCRAInfo refused the credentials, here and for other workers."""
        account.refuse(error)
        log.warning(
            "RCRAInfo refused the credentials of %s (%s); they are not used again until the key "
            "changes",
            account.label,
            error.code or error.message,
        )
        if self._cache is None:
            return
        try:
            await self._cache.set(
                self._refusal_key(account), (error.code or "").encode(), REFUSAL_TTL_SECONDS
            )
        except Exception:  # a failing cache: this process still remembers
            log.warning("cache unavailable; the RCRAInfo refusal is not shared")

    async def _ensure_token(
        self, account: _Account, credentials: RcrainfoCredentials, stale: str | None = None
    ) -> str:
        """A token with more than a minute left (or, after `stale` was refused, a new one)."""
        if stale is None and self._fresh(account.client):
            token: str = account.client.token
            return token
        await self._check_not_refused_elsewhere(account)
        shared: RcrainfoToken | None = None
        if self._tokens is not None:
            try:
                shared = await self._tokens.get(account.fingerprint)
            except Exception:  # a failing cache is a miss
                log.warning("cache unavailable; logging in to RCRAInfo without a shared token")
        login = await self._in_pool(partial(self._log_in, account, credentials, shared, stale))
        if login.error is not None:
            if login.error.credentials_refused:
                await self._refuse(account, login.error)
            raise login.error
        assert login.token is not None
        if login.new and self._tokens is not None and login.expires_at is not None:
            try:
                await self._tokens.put(account.fingerprint, Secret(login.token), login.expires_at)
            except Exception:  # a failing cache: the token is simply not shared
                log.warning("cache unavailable; the RCRAInfo token is not shared")
        return login.token

    def _fresh(self, client: EmanifestClient) -> bool:
        expires = client.token_expires_at()
        return expires is not None and expires - RENEW_BEFORE > self._clock.now()

    def _log_in(
        self,
        account: _Account,
        credentials: RcrainfoCredentials,
        shared: RcrainfoToken | None,
        stale: str | None,
    ) -> _Login:
        """In a pool thread, one login per client at a time: whoever waited for the lock
        finds the token the other got."""
        client = account.client
        with account.lock:
            if account.refusal is not None:
                return _Login(error=account.refused())
            current = client.token
            if current is not None and current != stale and self._fresh(client):
                return _Login(token=current)
            now = self._clock.now()
            if shared is not None:
                shared_token: str = shared.token.reveal()
                if shared_token != stale and shared.expires_at - RENEW_BEFORE > now:
                    client.adopt_token(shared_token, shared.expires_at)
                    return _Login(token=shared_token)
            return self._authenticate(account, credentials)

    def _authenticate(self, account: _Account, credentials: RcrainfoCredentials) -> _Login:
        client = account.client
        started = time.perf_counter()
        failed: BaseException | None = None
        try:
            client.log_in(credentials.api_id, credentials.api_key.reveal())
        except (requests.RequestException, ValueError, KeyError, TypeError, OSError) as error:
            failed = error  # KeyError: a 200 without a token; ValueError: not JSON
        if failed is not None:
            log.warning("RCRAInfo login of %s failed: %s", account.label, type(failed).__name__)
            return _Login(error=answers.transport_failure("the login", failed))
        response = client.login_answer
        token = client.token
        # Judge by the answer: after a failed renewal the client still holds the old token.
        if response is not None and response.ok and token is not None:
            expires = client.token_expires_at()
            if expires is None or expires <= self._clock.now():
                # The client could not parse EPA's expiration; assume a short life.
                expires = self._clock.now() + _UNPARSED_EXPIRY_LIFETIME
                client.adopt_token(token, expires)
            log.info(
                "RCRAInfo login of %s (%.0f ms)",
                account.label,
                (time.perf_counter() - started) * 1000,
            )
            return _Login(token=token, expires_at=expires, new=True)
        if response is None:  # pragma: no cover - the client always asks
            return _Login(error=answers.login_failure(Answer(0, None, readable=False)))
        answer = answers.read_answer(response.status_code, response.content)
        return _Login(error=answers.login_failure(answer))

    def _request(self, account: _Account, what: str, call: Call) -> Answer | RcrainfoError:
        """In a pool thread: one request and its answer, or why there is none; never raises."""
        started = time.perf_counter()
        failed: BaseException | None = None
        try:
            response = call(account.client).response
            answer = answers.read_answer(response.status_code, response.content)
        except (requests.RequestException, ValueError, KeyError, TypeError, OSError) as error:
            failed = error
        elapsed = (time.perf_counter() - started) * 1000
        if failed is not None:
            log.warning(
                "RCRAInfo %s for %s: no answer (%s, %.0f ms)",
                what,
                account.label,
                type(failed).__name__,
                elapsed,
            )
            return answers.transport_failure(what, failed)
        log.debug(
            "RCRAInfo %s for %s: HTTP %d (%.0f ms)", what, account.label, answer.status, elapsed
        )
        return answer


class _LinkResponse:
    """EPA's UI-link service answers with the address as a JSON string; one of EPA's examples
    shows it as bare text, which is read here as if it were quoted."""

    def __init__(self, result: Any) -> None:
        self.status_code: int = result.response.status_code
        content: bytes = result.response.content
        text = content.strip()
        if text.startswith((b"http://", b"https://")):
            content = msgspec.json.encode(text.decode("utf-8", "replace"))
        self.content = content

    @property
    def response(self) -> _LinkResponse:
        return self


def _ui_link_url(answer: Answer, what: str) -> str:
    body = answer.body
    if isinstance(body, dict) and isinstance(body.get("url"), str):
        body = body["url"]
    if answer.ok and isinstance(body, str) and body.strip().startswith(("https://", "http://")):
        return body.strip()
    raise answers.failure(answer, what)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _invalid(field: str, message: str) -> RcrainfoError:
    return RcrainfoError(
        RcrainfoErrorKind.VALIDATION,
        f"{field}: {message}",
        field_errors=[RcrainfoProblem(message=message, field=field)],
    )


def _check_epa_id(epa_id: str, field: str = "epaSiteId") -> None:
    # The client puts IDs into URL paths as they are; a slash would change the path.
    if not is_epa_id(epa_id):
        raise _invalid(
            field, f"{epa_id!r} is not an EPA ID (2 letters, then 2-10 letters or digits)"
        )


def _check_tracking_number(mtn: str) -> None:
    if not is_tracking_number(mtn):
        raise _invalid(
            "manifestTrackingNumber", f"{mtn!r} is not a tracking number (9 digits, 3 letters)"
        )


def _whole(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(value)


def _user_search(arguments: dict[str, Any]) -> Call:
    return lambda client: client.search_users(**arguments)


MAX_ATTACHMENT_FILES = 50
MAX_ATTACHMENT_FILE_BYTES = 64 * 1024 * 1024


class _Download(msgspec.Struct, frozen=True):
    """What the attachments service answered, read in the pool thread: the manifest's JSON
    and the files of its zip, or why they could not be read."""

    document: Any = None
    files: list[RcrainfoFile] = msgspec.field(default_factory=list)
    problem: str | None = None


def _download_attachments(downloads: list[_Download], mtn: str, client: EmanifestClient) -> Any:
    """In a pool thread: the client's own download (`Accept: multipart/mixed`, then its
    multipart decoding, NOTES §1.5), with the zip read here under bounds."""
    try:
        answer = client.get_manifest_attachments(mtn)
    except zipfile.BadZipFile:
        downloads.append(_Download(problem="the file part is not a zip"))
        raise ValueError("unreadable attachments") from None
    except requests.RequestException:
        raise  # the request failed: a transport failure, as for any call
    except Exception as error:  # requests_toolbelt: not multipart, or a malformed part
        problem = f"not a readable multipart answer ({type(error).__name__})"
        downloads.append(_Download(problem=problem))
        raise ValueError("unreadable attachments") from None
    if not answer.response.ok:
        return answer
    text = answer.json()
    try:
        document = json.loads(text) if isinstance(text, str | bytes) else text
    except ValueError:
        downloads.append(_Download(problem="the JSON part is not JSON"))
        return answer
    files: list[RcrainfoFile] = []
    archive = answer.zip
    if archive is not None:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        for info in entries[:MAX_ATTACHMENT_FILES]:
            if info.file_size > MAX_ATTACHMENT_FILE_BYTES:
                continue
            files.append(RcrainfoFile(name=info.filename, data=archive.read(info)))
    downloads.append(_Download(document=document, files=files))
    return answer


def _attachments(answer: Answer, what: str, downloads: list[_Download]) -> ManifestAttachments:
    if not answer.ok:
        raise answers.failure(answer, what)
    if not downloads:
        raise answers.unreadable(what, "no multipart answer")
    got = downloads[-1]
    if got.problem is not None or not isinstance(got.document, dict):
        raise answers.unreadable(what, got.problem or "the JSON part is not a manifest")
    return ManifestAttachments(manifest=answers.manifest(got.document, what), files=got.files)
