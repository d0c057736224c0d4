"""Contract: the original Haztrak browser client (the React app in USEPA/haztrak `client/`)
against this API, on both backends, with a worker and the fake RCRAInfo.

Each request is built as the client builds it, and each answer is checked against the
TypeScript type the client declares for it. The client's code paths replayed here:

- `services/APIs/htApi.ts`: axios with `Accept` and `Content-Type: application/json`, cookies
  sent, the `csrftoken` cookie echoed in the header `X-CSRFTOKEN`.
- `store/userApi/userApi.ts`: `ProfileSlice` (`sites?: Record<string, HaztrakProfileSite>`,
  each a `HaztrakSite` with `permissions: {eManifest: 'viewer' | 'editor' | 'signer'}`).
- `components/Manifest/manifestSchema.ts` and `Transporter/TransporterSection.tsx`: the manifest
  form, each transporter an `RcraSite` from the handler search plus `order` and a `clientKey`
  (a UUID); `hooks/manifest/useSaveManifest.tsx`: NotAssigned and no `DFT` number is a create,
  NotAssigned with a `DFT` number an update, any other status a save to e-Manifest.
- `services/manifest/manifest.ts`: `getNextSigner` and `getStatusOptions` (reads `profile.sites`).
- `components/Manifest/QuickerSign/`: `QuickSignBtn` shows only when `profile.sites` has the next
  signing site; `QuickerSignForm` sends `new Date().toISOString().slice(0, -8) + '.000Z'`.
- `store/htApi.slice.ts`: `TaskResponse` `{taskId}` and `TaskStatus`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from haztrak.domain.manifest import IGNORED_FIELD
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import DEMO_CREDENTIALS, PASSWORD, http_client
from tests.http.test_tasks_api import TSDF_CREDENTIALS, _give_tsdf_credentials
from tests.integration.tasks.support import background_container, running_worker, seeded
from tests.manifest_documents import manifest_document
from tests.polling import eventually

GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
SITE_TYPES = {"Generator", "Transporter", "Tsdf", "Broker"}
EMANIFEST_PERMISSIONS = {"viewer", "editor", "signer"}
TASK_STATUSES = {"PENDING", "STARTED", "SUCCESS", "FAILURE", "NOT FOUND"}


@pytest.fixture
def rcrainfo() -> FakeRcrainfo:
    fake = FakeRcrainfo()
    for api_id, api_key in [*DEMO_CREDENTIALS.values(), TSDF_CREDENTIALS]:
        fake.account(api_id, api_key)
    return fake


@pytest.fixture
async def app(settings: Settings, rcrainfo: FakeRcrainfo) -> AsyncIterator[Litestar]:
    container = background_container(settings, rcrainfo)
    await seeded(settings, container)
    await _give_tsdf_credentials(container)
    async with running_worker(container):
        yield create_app(settings, container=container)
    await container.close()


class OriginalClient:
    """The client's `htApi`: JSON both ways, cookies kept, the CSRF cookie echoed as
    `X-CSRFTOKEN` (axios's `xsrfCookieName` / `xsrfHeaderName`), paths under `/api/`."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(
        self,
        method: str,
        url: str,
        data: Any = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        token = self.client.cookies.get("csrftoken")
        if token:
            headers["X-CSRFTOKEN"] = token
        body = None if data is None else json.dumps(data).encode()
        return await self.client.request(
            method, f"/api/{url}", content=body, params=params, headers=headers
        )

    async def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        response = await self.request("GET", url, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def login(self, username: str) -> None:
        """The sign-in page: allauth's session first (it sets the CSRF cookie), then login."""
        session = await self.request("GET", "browser/v1/auth/session")
        assert session.status_code == 401
        assert session.json()["meta"]["is_authenticated"] is False
        assert self.client.cookies.get("csrftoken")
        login = await self.request(
            "POST", "browser/v1/auth/login", {"username": username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        assert login.json()["data"]["user"]["username"] == username
        assert login.json()["meta"]["is_authenticated"] is True

    async def task(self, response: httpx.Response) -> dict[str, Any]:
        """`TaskResponse`, then `getTaskStatus` polled as `useProgressTracker` does."""
        assert response.status_code in (200, 202), response.text
        accepted = response.json()
        assert set(accepted) == {"taskId"}
        assert isinstance(accepted["taskId"], str)

        async def finished() -> dict[str, Any] | None:
            status = await self.get(f"task/{accepted['taskId']}")
            assert_task_status(status)
            return status if status["status"] in ("SUCCESS", "FAILURE") else None

        return await eventually(finished)


async def _client_of(app: Litestar, username: str) -> AsyncIterator[OriginalClient]:
    async with http_client(app) as client:
        original = OriginalClient(client)
        await original.login(username)
        yield original


@pytest.fixture
async def generator_user(app: Litestar) -> AsyncIterator[OriginalClient]:
    async for client in _client_of(app, "testuser1"):
        yield client


@pytest.fixture
async def tsdf_user(app: Litestar) -> AsyncIterator[OriginalClient]:
    async for client in _client_of(app, "tsdf1"):
        yield client


# --- the client's types ---------------------------------------------------------------------


def assert_rcra_site(site: Any) -> None:
    """`RcraSite` (components/RcraSite): the handler fields of EPA's manifest schema."""
    assert isinstance(site["epaSiteId"], str)
    assert site["siteType"] in SITE_TYPES
    assert isinstance(site["name"], str)
    for key in ("siteAddress", "mailingAddress"):
        address = site[key]
        assert isinstance(address["address1"], str)
        assert set(address["state"]) >= {"code"}
        assert address["state"]["code"] == site["epaSiteId"][:2]


def assert_profile_slice(profile: Any, username: str) -> None:
    """`ProfileSlice`: `user`, `org?: Organization | null`, `sites?: Record<string,
    HaztrakProfileSite>` where `HaztrakProfileSite` = `HaztrakSite` (`name`, `handler`) and
    `permissions: {eManifest: 'viewer' | 'editor' | 'signer'}`."""
    assert profile["user"] == username
    org = profile["org"]
    assert isinstance(org["id"], str)
    assert isinstance(org["name"], str)
    assert isinstance(org["slug"], str)
    assert isinstance(org["rcrainfoIntegrated"], bool)
    assert isinstance(profile["sites"], dict)
    for epa_id, site in profile["sites"].items():
        assert isinstance(site["name"], str)
        assert_rcra_site(site["handler"])
        assert site["handler"]["epaSiteId"] == epa_id
        assert site["permissions"]["eManifest"] in EMANIFEST_PERMISSIONS


def assert_task_status(status: Any) -> None:
    """`TaskStatus` (store/htApi.slice.ts)."""
    assert status["status"] in TASK_STATUSES
    assert isinstance(status["taskId"], str)
    assert isinstance(status["taskName"], str)
    assert isinstance(status["createdDate"], str)
    assert status["doneDate"] is None or isinstance(status["doneDate"], str)


def assert_manifest(manifest: Any) -> None:
    """`Manifest` (manifestSchema.ts) as the server answers it: EPA's keys only, each transporter
    with its `order`, each handler with the `signed` flag, no key of the client's."""
    assert isinstance(manifest["manifestTrackingNumber"], str)
    assert manifest["status"] in {
        "NotAssigned", "Pending", "Scheduled", "InTransit", "ReadyForSignature", "Signed",
        "Corrected", "UnderCorrection", "MtnValidationFailed",
    }  # fmt: skip
    assert manifest["submissionType"] in {"FullElectronic", "DataImage5Copy", "Hybrid", "Image"}
    for transporter in manifest["transporters"]:
        assert isinstance(transporter["order"], int)
        assert "clientKey" not in transporter
        assert isinstance(transporter["signed"], bool)
    assert isinstance(manifest["wastes"], list)


# --- what the client computes ---------------------------------------------------------------


def next_signer(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """`manifest.getNextSigner` (services/manifest/manifest.ts)."""
    status = manifest.get("status")
    generator = manifest.get("generator")
    transporters = manifest.get("transporters") or []
    signatures = (generator or {}).get("electronicSignaturesInfo") or [{}]
    if status == "Scheduled" and generator and not signatures[0].get("signer"):
        return {"epaSiteId": generator["epaSiteId"], "siteType": "generator"}
    if status == "Scheduled" and len(transporters) == 1:
        return {"epaSiteId": transporters[0]["epaSiteId"], "siteType": "transporter"}
    if status == "ReadyForSignature" and manifest.get("designatedFacility"):
        return {
            "epaSiteId": manifest["designatedFacility"]["epaSiteId"],
            "siteType": "designatedFacility",
        }
    return None


def status_options(manifest: dict[str, Any], profile: dict[str, Any]) -> list[str]:
    """`manifest.getStatusOptions`: Scheduled only when the TSDF is one of the user's sites."""
    options = []
    if manifest["status"] in ("NotAssigned", "Pending", "Scheduled"):
        options += ["NotAssigned", "Pending"]
    facility = manifest.get("designatedFacility")
    if facility and profile.get("sites") and facility["epaSiteId"] in profile["sites"]:
        options.append("Scheduled")
    return options


def quick_sign_site(profile: dict[str, Any], manifest: dict[str, Any]) -> Any:
    """`QuickSignBtn`'s selector: the next signing site looked up in `profile.sites`; the
    button renders nothing when it finds nothing."""
    signer = next_signer(manifest)
    sites = profile.get("sites")
    return sites.get(signer["epaSiteId"]) if sites and signer else None


def quicker_sign_date(now: datetime) -> str:
    """`new Date().toISOString().slice(0, -8) + '.000Z'` (QuickerSignForm.tsx)."""
    iso = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return iso[:-8] + ".000Z"


async def manifest_form(client: OriginalClient, status: str = "NotAssigned") -> dict[str, Any]:
    """The manifest form as the client submits it: the parties chosen in the handler search,
    a transporter row (`{...rcraSite, order}`) per transporter with the `clientKey` that
    TransporterSection adds, waste lines, and an empty tracking number for a new manifest."""

    async def chosen(epa_id: str, site_type: str) -> dict[str, Any]:
        found = await client.get("rcrasite/search", {"epaId": epa_id, "siteType": site_type})
        for site in found:
            assert_rcra_site(site)
        [site] = [s for s in found if s["epaSiteId"] == epa_id]
        return dict(site)

    transporters = [
        {**await chosen(epa_id, "transporter"), "order": order, "clientKey": str(uuid.uuid4())}
        for order, epa_id in enumerate((TRANS1, TRANS2), start=1)
    ]
    return {
        "manifestTrackingNumber": "",
        "status": status,
        "submissionType": "FullElectronic",
        "generator": await chosen(GEN, "generator"),
        "transporters": transporters,
        "designatedFacility": await chosen(TSDF, "designatedFacility"),
        "wastes": manifest_document()["wastes"],
    }


def with_client_keys(manifest: dict[str, Any]) -> dict[str, Any]:
    """A manifest read back into the form: TransporterSection gives each row a new clientKey."""
    form = {k: v for k, v in manifest.items() if k != "warnings"}
    form["transporters"] = [{**t, "clientKey": str(uuid.uuid4())} for t in form["transporters"]]
    return form


def _ignored(problems: list[dict[str, str]]) -> set[str]:
    return {p["field"] for p in problems if p["message"] == IGNORED_FIELD}


CLIENT_KEYS = {"transporters.0.clientKey", "transporters.1.clientKey"}


# --- the screens ----------------------------------------------------------------------------


async def test_the_profile_is_the_profile_slice_and_its_selectors_find_the_sites(
    generator_user: OriginalClient, tsdf_user: OriginalClient
) -> None:
    profile = await generator_user.get("my-profile")
    assert_profile_slice(profile, "testuser1")
    assert list(profile["sites"]) == [GEN]
    assert profile["sites"][GEN]["permissions"] == {"eManifest": "signer"}
    assert profile["sites"][GEN]["role"] == "signer"
    # the rest of the profile is as it was
    assert profile["avatar"] is None
    assert [o["slug"] for o in profile["orgs"]] == ["generators-org-llc"]
    # useUserSiteIds, the site pages: each key is the site's EPA ID
    sites = await generator_user.get("sites")
    assert [s["handler"]["epaSiteId"] for s in sites] == list(profile["sites"])

    draft = {"status": "NotAssigned", "designatedFacility": {"epaSiteId": TSDF}}
    assert status_options(draft, profile) == ["NotAssigned", "Pending"]
    tsdf_profile = await tsdf_user.get("my-profile")
    assert_profile_slice(tsdf_profile, "tsdf1")
    assert status_options(draft, tsdf_profile) == ["NotAssigned", "Pending", "Scheduled"]


async def test_a_manifest_with_transporters_is_created_edited_and_saved_to_emanifest(
    generator_user: OriginalClient, rcrainfo: FakeRcrainfo
) -> None:
    form = await manifest_form(generator_user)
    # useSaveManifest: NotAssigned without a DFT number is a create
    created = await generator_user.request("POST", "manifest", form)
    assert created.status_code == 201, created.text
    manifest = created.json()
    assert_manifest(manifest)
    mtn = manifest["manifestTrackingNumber"]
    assert mtn.endswith("DFT")
    assert _ignored(manifest["warnings"]) == CLIENT_KEYS
    assert [t["epaSiteId"] for t in manifest["transporters"]] == [TRANS1, TRANS2]

    # the draft page reads it back, the form gives the rows new keys; NotAssigned with a DFT
    # number is an update
    read = await generator_user.get(f"manifest/{mtn}")
    assert_manifest(read)
    edit = with_client_keys(read)
    edit["transporters"].reverse()
    for order, transporter in enumerate(edit["transporters"], start=1):
        transporter["order"] = order
    updated = await generator_user.request("PUT", f"manifest/{mtn}", edit)
    assert updated.status_code == 200, updated.text
    assert_manifest(updated.json())
    assert [t["epaSiteId"] for t in updated.json()["transporters"]] == [TRANS2, TRANS1]
    assert _ignored(updated.json()["warnings"]) == CLIENT_KEYS

    checked = await generator_user.request(
        "POST", "manifest/validate", with_client_keys(updated.json())
    )
    assert checked.status_code == 200
    assert checked.json()["valid"] is True
    assert _ignored(checked.json()["warnings"]) == CLIENT_KEYS

    # any other status is a save to e-Manifest
    sent = with_client_keys((await generator_user.get(f"manifest/{mtn}")) | {"status": "Pending"})
    task = await generator_user.task(
        await generator_user.request("POST", "manifest/emanifest", sent)
    )
    assert task["status"] == "SUCCESS", task
    saved = task["result"]["manifestTrackingNumber"]
    assert saved.endswith("ELC")
    assert _ignored(task["result"]["warnings"]) == CLIENT_KEYS
    assert b"clientKey" not in msgspec.json.encode(rcrainfo.manifests[saved])
    assert_manifest(await generator_user.get(f"manifest/{saved}"))


async def test_quicker_sign_from_the_manifest_page(
    generator_user: OriginalClient, tsdf_user: OriginalClient
) -> None:
    # The TSDF may choose Scheduled, and saves the new manifest to e-Manifest at once.
    tsdf_profile = await tsdf_user.get("my-profile")
    form = await manifest_form(tsdf_user)
    assert "Scheduled" in status_options(form, tsdf_profile)
    form["status"] = "Scheduled"
    task = await tsdf_user.task(await tsdf_user.request("POST", "manifest/emanifest", form))
    assert task["status"] == "SUCCESS", task
    mtn = task["result"]["manifestTrackingNumber"]

    # The generator's manifest page: the Quicker Sign button shows for its site.
    profile = await generator_user.get("my-profile")
    manifest = await generator_user.get(f"manifest/{mtn}")
    assert manifest["status"] == "Scheduled"
    assert next_signer(manifest) == {"epaSiteId": GEN, "siteType": "generator"}
    assert quick_sign_site(profile, manifest) is not None
    assert quick_sign_site(await tsdf_user.get("my-profile"), manifest) is None

    signature = {
        "printedSignatureDate": quicker_sign_date(datetime.now(UTC)),
        "printedSignatureName": "testuser1",
        "siteId": GEN,
        "siteType": "Generator",
        "manifestTrackingNumbers": [mtn],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d\.000Z", signature["printedSignatureDate"])
    signed = await generator_user.task(
        await generator_user.request("POST", "manifest/emanifest/sign", signature)
    )
    assert signed["status"] == "SUCCESS", signed


@pytest.mark.parametrize(
    ("date", "why"),
    [
        ("2026-02-30T08:03.000Z", "does not exist"),
        ("2026-12-03T25:03.000Z", "does not exist"),
        ("yesterday", "not a date"),
        (quicker_sign_date(datetime.now(UTC) + timedelta(days=2)), "in the future"),
    ],
)
async def test_only_a_signature_date_that_is_really_wrong_is_refused(
    generator_user: OriginalClient, date: str, why: str
) -> None:
    signature = {
        "printedSignatureDate": date,
        "printedSignatureName": "testuser1",
        "siteId": GEN,
        "siteType": "Generator",
        "manifestTrackingNumbers": ["123456789ELC"],
    }
    refused = await generator_user.request("POST", "manifest/emanifest/sign", signature)
    assert refused.status_code == 422, (why, refused.text)
    assert [e["field"] for e in refused.json()["errors"]] == ["printedSignatureDate"]


async def test_syncing_rcrainfo_permissions_without_credentials_fails_a_task_with_the_reason(
    generator_user: OriginalClient,
) -> None:
    # RcraProfile's "Sync" button: syncRcrainfoProfile, then useProgressTracker
    task = await generator_user.task(await generator_user.request("POST", "rcrainfo-profile/sync"))
    assert task["status"] == "FAILURE"
    assert task["taskName"] == "sync_rcrainfo_profile"
    assert "RCRAInfo API ID and key" in task["result"]
    assert task["error"]["detail"] == task["result"]
