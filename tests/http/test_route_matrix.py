"""The authorization matrix, walked over the route table: every API route, every demo role,
own and foreign objects, manifests in each relevant status (local draft of each side,
Pending, Scheduled, Signed, another org's), each request with the answer it must get.

A route of the REST API without an entry in ROUTES fails
test_every_api_route_has_an_entry: a new route comes with its rules. Routes outside /api
are the web UI's (tests/web) and the admin site's (test_admin.py).

Tasks are only started here (no worker runs), so statuses stay as set up while the walk goes
on; what a task does is tested in test_tasks_api.py and tests/integration/tasks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import ASGIRoute, HTTPRoute

from haztrak.application.identity.profile import CreateUser
from haztrak.application.manifests.files import ManifestFiles
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.docs import DOCS_ASSETS_PATH
from haztrak.entrypoints.settings import Settings, load_settings
from tests.http.conftest import PASSWORD, Browser, _logged_in, http_client, store_from_rcrainfo
from tests.manifest_documents import a_manifest, manifest_document

GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
ORG = "generators-org-llc"

ROLES = ("testuser1", "orgadmin", "viewer1", "transporter1", "tsdf1", "anonymous")
"""testuser1 signs for the generator, orgadmin administers the generator's org (site manager
of its site), viewer1 only views the generator's site; transporter1 signs for both
transporters, tsdf1 for the designated facility (its org has no RCRAInfo credentials)."""
USERS = ROLES[:-1]

# The manifests of the walk: label -> (tracking number or None for a draft, status)
PENDING, SCHEDULED, SIGNED, FOREIGN = "100000001ELC", "100000002ELC", "100000003ELC", "100000004ELC"
GEN_DRAFT, TRANS_DRAFT = "generator's draft", "transporter's draft"
HOME = {"testuser1": GEN, "orgadmin": GEN, "viewer1": GEN, "transporter1": TRANS1, "tsdf1": TSDF}

VISIBLE = {
    # what each role finds in its lists: a draft only through the site that prepared it
    "testuser1": {GEN_DRAFT, PENDING, SCHEDULED, SIGNED},
    "orgadmin": {GEN_DRAFT, PENDING, SCHEDULED, SIGNED},
    "viewer1": {PENDING, SCHEDULED, SIGNED},
    "transporter1": {TRANS_DRAFT, PENDING, SCHEDULED, SIGNED},
    "tsdf1": {PENDING, SCHEDULED, SIGNED},
}


@dataclass
class World:
    app: Litestar
    browsers: dict[str, Browser]
    mtns: dict[str, str] = field(default_factory=dict)
    """label -> tracking number"""
    token_id: str = ""
    """A token of testuser1's."""
    task_id: str = ""
    """A task of testuser1's."""
    webhook_id: str = ""
    """A webhook endpoint of the generators' org."""
    webhook_delivery_id: str = ""
    """Its test delivery (not delivered: no worker runs)."""

    def mtn(self, label: str) -> str:
        return self.mtns.get(label, label)


Expect = Mapping[str, int]
"""role -> the status code it must get."""


def expect(default: int, anonymous: int = 401, **roles: int) -> dict[str, int]:
    return {**dict.fromkeys(USERS, default), "anonymous": anonymous, **roles}


def public(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


@dataclass
class Case:
    """One request and the answer each role must get; path and body may depend on the role."""

    path: str | Callable[[str], str]
    expected: Expect
    body: Any = None
    check: Callable[[str, httpx.Response], None] | None = None


Cases = Callable[[World], list[Case]]

# --- manifests ------------------------------------------------------------------------------

_PARTIES = {
    GEN_DRAFT: {},
    TRANS_DRAFT: {"transporters": (TRANS1,)},
    PENDING: {},
    SCHEDULED: {},
    SIGNED: {},
    FOREIGN: {
        "generator": "VAOTHERGEN01",
        "transporters": ("VAOTHERTRN01",),
        "tsdf": "VAOTHERTSD01",
    },
}
_STATUS = {
    GEN_DRAFT: "NotAssigned",
    TRANS_DRAFT: "NotAssigned",
    PENDING: "Pending",
    SCHEDULED: "Scheduled",
    SIGNED: "Signed",
    FOREIGN: "Scheduled",
}


def document(world: World, label: str) -> dict[str, Any]:
    return manifest_document(mtn=world.mtn(label), status=_STATUS[label], **_PARTIES[label])


def owner_only(owner: set[str], code: int) -> dict[str, int]:
    """A draft: its owner site's preparers get `code`, everyone else 404."""
    return expect(404, **dict.fromkeys(owner, code))


GEN_SIDE = {"testuser1", "orgadmin"}


def read_one(world: World) -> list[Case]:
    return [
        Case(f"/api/manifest/{world.mtn(GEN_DRAFT)}", owner_only(GEN_SIDE, 200)),
        Case(f"/api/manifest/{world.mtn(TRANS_DRAFT)}", owner_only({"transporter1"}, 200)),
        *(Case(f"/api/manifest/{mtn}", expect(200)) for mtn in (PENDING, SCHEDULED, SIGNED)),
        Case(f"/api/manifest/{FOREIGN}", expect(404)),
        Case("/api/manifest/000000999DFT", expect(404)),
    ]


def print_one(world: World) -> list[Case]:
    """The printed form: whoever may read the manifest (read_one), and no one else."""
    return [
        Case(f"/api/manifest/{world.mtn(GEN_DRAFT)}/pdf", owner_only(GEN_SIDE, 200)),
        Case(f"/api/manifest/{world.mtn(TRANS_DRAFT)}/pdf", owner_only({"transporter1"}, 200)),
        *(Case(f"/api/manifest/{mtn}/pdf", expect(200)) for mtn in (PENDING, SIGNED)),
        Case(f"/api/manifest/{FOREIGN}/pdf", expect(404)),
    ]


def replace(world: World) -> list[Case]:
    changeable = expect(200, viewer1=403)  # Pending, Scheduled: every preparer (EPA's rules)
    return [
        Case(
            f"/api/manifest/{world.mtn(GEN_DRAFT)}",
            owner_only(GEN_SIDE, 200),
            document(world, GEN_DRAFT),
        ),
        Case(  # the attack of issue 11: a site named on the draft takes it
            f"/api/manifest/{world.mtn(GEN_DRAFT)}",
            owner_only(GEN_SIDE, 422),
            manifest_document(mtn=world.mtn(GEN_DRAFT), generator=TRANS2),
        ),
        Case(
            f"/api/manifest/{world.mtn(TRANS_DRAFT)}",
            owner_only({"transporter1"}, 200),
            document(world, TRANS_DRAFT),
        ),
        Case(f"/api/manifest/{PENDING}", changeable, document(world, PENDING)),
        Case(f"/api/manifest/{SCHEDULED}", changeable, document(world, SCHEDULED)),
        Case(f"/api/manifest/{SIGNED}", expect(409, viewer1=403), document(world, SIGNED)),
        Case(f"/api/manifest/{FOREIGN}", expect(404), document(world, FOREIGN)),
    ]


def remove(world: World) -> list[Case]:
    in_emanifest = expect(409, viewer1=403)  # deleted in e-Manifest, not here
    return [
        Case(f"/api/manifest/{world.mtn(GEN_DRAFT)}", owner_only(GEN_SIDE, 204)),
        Case(f"/api/manifest/{world.mtn(TRANS_DRAFT)}", owner_only({"transporter1"}, 204)),
        *(Case(f"/api/manifest/{mtn}", in_emanifest) for mtn in (PENDING, SCHEDULED, SIGNED)),
        Case(f"/api/manifest/{FOREIGN}", expect(404)),
    ]


def _found(
    world: World, expected: Callable[[str], set[str]]
) -> Callable[[str, httpx.Response], None]:
    def check(role: str, response: httpx.Response) -> None:
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        found = {item["manifestTrackingNumber"] for item in items}
        wanted = {world.mtn(label) for label in expected(role)}
        assert found == wanted, (role, response.request.url)
        if isinstance(body, dict):
            assert body["total"] == len(wanted), role

    return check


def list_all(world: World) -> list[Case]:
    everything = _found(world, VISIBLE.__getitem__)
    drafts = _found(world, lambda role: VISIBLE[role] & {GEN_DRAFT, TRANS_DRAFT})
    return [
        Case("/api/manifest", expect(200), check=everything),
        Case("/api/manifest?status=NotAssigned", expect(200), check=drafts),
        Case(
            lambda role: f"/api/manifest?site={HOME.get(role, GEN)}", expect(200), check=everything
        ),
        Case(f"/api/manifest?site={TSDF}", expect(404, tsdf1=200)),
    ]


def _exported(
    world: World, expected: Callable[[str], set[str]]
) -> Callable[[str, httpx.Response], None]:
    def check(role: str, response: httpx.Response) -> None:
        rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        found = {row["Manifest tracking number"] for row in rows}
        assert found == {world.mtn(label) for label in expected(role)}, role

    return check


def export_all(world: World) -> list[Case]:
    everything = _exported(world, VISIBLE.__getitem__)
    return [
        Case("/api/manifest/export", expect(200), check=everything),
        Case("/api/manifest/export?rows=waste&format=xlsx", expect(200)),
        Case(
            lambda role: f"/api/manifest/export?site={HOME.get(role, GEN)}",
            expect(200),
            check=everything,
        ),
        Case(f"/api/manifest/export?site={TSDF}", expect(404, tsdf1=200)),
    ]


def register(world: World) -> list[Case]:
    period = "from=2026-01-01&to=2026-12-31"
    return [
        Case(f"/api/sites/{GEN}/register?{period}", GEN_ORG_MEMBER),
        Case(f"/api/sites/{TSDF}/register?{period}&format=csv", expect(404, tsdf1=200)),
        Case(f"/api/sites/VAOTHERGEN01/register?{period}", expect(404)),
    ]


def numbers(world: World) -> list[Case]:
    return [Case("/api/manifest/mtn", expect(200), check=_found(world, VISIBLE.__getitem__))]


def numbers_of_site(world: World) -> list[Case]:
    return [
        Case(
            lambda role: f"/api/manifest/mtn/{HOME.get(role, GEN)}",
            expect(200),
            check=_found(world, VISIBLE.__getitem__),
        ),
        Case(f"/api/manifest/mtn/{TSDF}", expect(404, tsdf1=200)),
        Case("/api/manifest/mtn/VAOTHERGEN01", expect(404)),
    ]


def numbers_of_site_in_part(world: World) -> list[Case]:
    as_generator = _found(world, lambda role: VISIBLE[role] - {TRANS_DRAFT})
    return [
        Case(
            f"/api/manifest/mtn/{GEN}/Generator",
            expect(200, transporter1=404, tsdf1=404),
            check=as_generator,
        ),
        Case(
            f"/api/manifest/mtn/{TRANS1}/Transporter",
            expect(404, transporter1=200),
            check=_found(world, VISIBLE.__getitem__),
        ),
    ]


def create(world: World) -> list[Case]:
    return [
        Case("/api/manifest", expect(201, viewer1=403), manifest_document()),
        Case("/api/manifest", expect(404), manifest_document(**_PARTIES[FOREIGN])),
    ]


def validate(world: World) -> list[Case]:
    return [Case("/api/manifest/validate", expect(200), manifest_document())]


def submit(world: World) -> list[Case]:
    # viewer1: the body names its site, where it may not submit (403); tsdf1's org has no
    # RCRAInfo credentials (409)
    in_emanifest = expect(202, viewer1=403, tsdf1=409)
    return [
        Case(
            "/api/manifest/emanifest",
            expect(404, testuser1=202, orgadmin=202, viewer1=403),
            document(world, GEN_DRAFT),
        ),
        Case(
            "/api/manifest/emanifest",
            expect(404, transporter1=202, viewer1=403),
            document(world, TRANS_DRAFT),
        ),
        Case("/api/manifest/emanifest", in_emanifest, document(world, PENDING)),
        Case("/api/manifest/emanifest", in_emanifest, document(world, SCHEDULED)),
        # Signed by its facility: corrected (a correction task); tsdf1's org has no credentials
        Case(
            "/api/manifest/emanifest",
            expect(202, viewer1=403, tsdf1=409),
            document(world, SIGNED),
        ),
        Case("/api/manifest/emanifest", expect(404), document(world, FOREIGN)),
    ]


_PART = {GEN: "Generator", TRANS1: "Transporter", TSDF: "Tsdf"}


def _signature(mtn: str) -> Callable[[str], dict[str, Any]]:
    def body(role: str) -> dict[str, Any]:
        site = HOME.get(role, GEN)
        signature = {
            "manifestTrackingNumbers": [mtn],
            "siteId": site,
            "siteType": _PART[site],
            "printedSignatureName": "Pat Signer",
        }
        return signature | ({"transporterOrder": 1} if site == TRANS1 else {})

    return body


def sign(world: World) -> list[Case]:
    """Each signer signs as its own site; only the generator's turn is open (Scheduled)."""
    not_signable = expect(409, viewer1=403)
    return [
        Case(
            "/api/manifest/emanifest/sign",
            expect(404, testuser1=409, orgadmin=409, viewer1=403),
            _signature(world.mtn(GEN_DRAFT)),
        ),
        Case(
            "/api/manifest/emanifest/sign",
            expect(404, transporter1=409, viewer1=403),
            _signature(world.mtn(TRANS_DRAFT)),
        ),
        Case("/api/manifest/emanifest/sign", not_signable, _signature(PENDING)),
        Case(
            "/api/manifest/emanifest/sign",
            expect(409, testuser1=202, orgadmin=202, viewer1=403),
            _signature(SCHEDULED),
        ),
        Case("/api/manifest/emanifest/sign", not_signable, _signature(SIGNED)),
        Case("/api/manifest/emanifest/sign", expect(404, viewer1=403), _signature(FOREIGN)),
    ]


def sync_site(world: World) -> list[Case]:
    return [
        Case(
            "/api/manifest/emanifest/sync",
            expect(202, transporter1=404, tsdf1=404),
            {"siteId": GEN},
        ),
        Case("/api/manifest/emanifest/sync", expect(404, tsdf1=409), {"siteId": TSDF}),
    ]


# --- identity, orgs, sites, tasks -----------------------------------------------------------

GEN_ORG_MEMBER = expect(404, testuser1=200, orgadmin=200, viewer1=200)
GEN_ORG_ADMIN = expect(404, testuser1=403, orgadmin=200, viewer1=403)
ADMIN_ONLY = {"testuser1": 403, "viewer1": 403}
"""Members of the generators' org who are not its admins."""
NOT_THERE_FOR_ADMIN = expect(404, **ADMIN_ONLY)
NO_ID = "00000000-0000-0000-0000-000000000000"
WEBHOOK = {"url": "https://hooks.example.com/haztrak", "kinds": ["manifest.signed"]}


def one(path: str | Callable[[str], str], expected: Expect, body: Any = None) -> Cases:
    return lambda world: [Case(path, expected, body)]


def both_orgs(path: str, generators: Expect, transporter: int) -> Cases:
    """The generators' org as `generators` says, and the transporters' org: transporter1 (a
    member, no admin) gets `transporter`, everyone else 404."""
    return lambda world: [
        Case(path.format(ORG), generators),
        Case(path.format("mock-transporters"), expect(404, transporter1=transporter)),
    ]


def own_profile(world: World) -> list[Case]:
    return [
        Case(lambda role: f"/api/rcrainfo-profile/{role}", expect(200)),
        Case("/api/rcrainfo-profile/testuser1", expect(404, testuser1=200)),
    ]


def update_profile(world: World) -> list[Case]:
    body = {"phoneNumber": "555-555-5555"}
    return [
        Case(lambda role: f"/api/rcrainfo-profile/{role}", expect(200), body),
        Case("/api/rcrainfo-profile/testuser1", expect(404, testuser1=200), body),
    ]


def revoke_token(world: World) -> list[Case]:
    return [Case(f"/api/user/tokens/{world.token_id}", expect(404, testuser1=204))]


def read_task(world: World) -> list[Case]:
    return [
        Case(f"/api/task/{world.task_id}", expect(404, testuser1=200)),
        Case("/api/task/00000000-0000-0000-0000-000000000000", expect(404)),
    ]


def retry_task(world: World) -> list[Case]:
    return [
        Case(f"/api/task/{world.task_id}/retry", expect(404, testuser1=202)),
        Case("/api/task/00000000-0000-0000-0000-000000000000/retry", expect(404)),
    ]


ROUTES: dict[tuple[str, str], Cases] = {
    # reads first, then writes, then what removes things, then logging out
    ("GET", "/api/health"): one("/api/health", public(200)),
    ("GET", "/api/health/ready"): one("/api/health/ready", public(200)),
    ("GET", "/api/docs"): one("/api/docs", public(302)),
    ("GET", DOCS_ASSETS_PATH + "/{file_path:path}"): one(
        f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js", public(200)
    ),
    ("GET", "/api/schema"): one("/api/schema", public(200)),
    ("GET", "/api/schema/openapi.json"): one("/api/schema/openapi.json", public(200)),
    ("GET", "/api/schema/swagger"): one("/api/schema/swagger", public(200)),
    ("GET", "/api/schema/oauth2-redirect.html"): one(
        "/api/schema/oauth2-redirect.html", public(200)
    ),
    ("GET", "/api/schema/{path:str}"): one("/api/schema/nothing-here", public(404)),
    ("GET", "/api/emanifest/code"): one("/api/emanifest/code", public(200)),
    ("GET", "/api/emanifest/code/{name:str}"): one(
        "/api/emanifest/code/container-types", public(200)
    ),
    ("GET", "/api/waste/code/federal"): one("/api/waste/code/federal", public(200)),
    ("GET", "/api/waste/code/state/{state_code:str}"): one("/api/waste/code/state/VA", public(200)),
    ("GET", "/api/waste/dot/{kind:str}"): one("/api/waste/dot/class", public(200)),
    ("GET", "/api/browser/v1/auth/session"): one(
        "/api/browser/v1/auth/session", expect(200, anonymous=401)
    ),
    ("POST", "/api/browser/v1/auth/login"): one(
        "/api/browser/v1/auth/login", public(400), {"username": "nobody", "password": "x" * 12}
    ),
    ("GET", "/api/user/current-user"): one("/api/user/current-user", expect(200)),
    ("GET", "/api/my-profile"): one("/api/my-profile", expect(200)),
    ("GET", "/api/user/tokens"): one("/api/user/tokens", expect(200)),
    ("GET", "/api/rcrainfo-profile/{username:str}"): own_profile,
    ("GET", "/api/orgs"): one("/api/orgs", expect(200)),
    ("GET", "/api/orgs/{slug:str}"): both_orgs("/api/orgs/{}", GEN_ORG_MEMBER, 200),
    ("GET", "/api/orgs/{slug:str}/sites"): both_orgs("/api/orgs/{}/sites", GEN_ORG_MEMBER, 200),
    ("GET", "/api/orgs/{slug:str}/members"): both_orgs("/api/orgs/{}/members", GEN_ORG_ADMIN, 403),
    ("GET", "/api/orgs/{slug:str}/rcrainfo"): one(f"/api/orgs/{ORG}/rcrainfo", GEN_ORG_ADMIN),
    ("GET", "/api/orgs/{slug:str}/webhooks"): both_orgs(
        "/api/orgs/{}/webhooks", GEN_ORG_ADMIN, 403
    ),
    ("GET", "/api/orgs/{slug:str}/webhooks/deliveries"): both_orgs(
        "/api/orgs/{}/webhooks/deliveries", GEN_ORG_ADMIN, 403
    ),
    ("GET", "/api/orgs/{slug:str}/webhooks/deliveries/{delivery_id:uuid}"): lambda world: [
        Case(f"/api/orgs/{ORG}/webhooks/deliveries/{world.webhook_delivery_id}", GEN_ORG_ADMIN),
        Case(f"/api/orgs/{ORG}/webhooks/deliveries/{NO_ID}", NOT_THERE_FOR_ADMIN),
        Case(
            f"/api/orgs/mock-transporters/webhooks/deliveries/{world.webhook_delivery_id}",
            expect(404, transporter1=403),
        ),
    ],
    ("GET", "/api/sites"): one("/api/sites", expect(200)),
    ("GET", "/api/sites/{epa_id:str}"): lambda world: [
        Case(f"/api/sites/{GEN}", GEN_ORG_MEMBER),
        Case(f"/api/sites/{TRANS2}", expect(404, transporter1=200)),
    ],
    ("GET", "/api/sites/{epa_id:str}/register"): register,
    ("GET", "/api/rcrasite/{epa_id:str}"): one(f"/api/rcrasite/{TSDF}", expect(200)),
    ("GET", "/api/rcrasite/search"): one("/api/rcrasite/search?epaId=VATEST", expect(200)),
    ("GET", "/api/manifest"): list_all,
    ("GET", "/api/manifest/export"): export_all,
    ("GET", "/api/manifest/mtn"): numbers,
    ("GET", "/api/manifest/mtn/{epa_id:str}"): numbers_of_site,
    ("GET", "/api/manifest/mtn/{epa_id:str}/{site_type:str}"): numbers_of_site_in_part,
    ("GET", "/api/manifest/{mtn:str}"): read_one,
    ("GET", "/api/manifest/{mtn:str}/pdf"): print_one,
    ("GET", "/api/task/{task_id:uuid}"): read_task,
    ("GET", "/api/notices"): one("/api/notices", expect(200)),
    ("GET", "/api/notices/preferences"): one("/api/notices/preferences", expect(200)),
    ("POST", "/api/manifest/validate"): validate,
    ("PUT", "/api/manifest/{mtn:str}"): replace,
    ("POST", "/api/manifest/emanifest"): submit,
    ("POST", "/api/manifest/emanifest/sign"): sign,
    ("POST", "/api/manifest/emanifest/sync"): sync_site,
    ("POST", "/api/manifest"): create,
    # receiving (issue 13): only the designated facility's preparers (403 for the others),
    # only while ReadyForSignature (409), and no new manifest without rejected or residue waste
    ("GET", "/api/manifest/{mtn:str}/links"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/links", expect(200)),
        Case(f"/api/manifest/{world.mtn(GEN_DRAFT)}/links", owner_only(GEN_SIDE, 200)),
        Case(f"/api/manifest/{FOREIGN}/links", expect(404)),
    ],
    ("POST", "/api/manifest/{mtn:str}/receipt"): lambda world: [
        Case(f"/api/manifest/{SCHEDULED}/receipt", expect(403, tsdf1=409), {}),
        Case(f"/api/manifest/{SIGNED}/receipt", expect(403, tsdf1=409), {"rejection": False}),
        Case(f"/api/manifest/{FOREIGN}/receipt", expect(404), {}),
    ],
    ("POST", "/api/manifest/{mtn:str}/rejected-waste"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/rejected-waste", expect(403, tsdf1=409)),
        Case(f"/api/manifest/{FOREIGN}/rejected-waste", expect(404)),
    ],
    ("POST", "/api/task/{task_id:uuid}/retry"): retry_task,
    # notices are each user's own: another's (or none) is 404 to everyone
    ("POST", "/api/notices/{notice_id:uuid}/read"): one(
        "/api/notices/00000000-0000-0000-0000-000000000000/read", expect(404)
    ),
    ("POST", "/api/notices/read"): one("/api/notices/read", expect(200)),
    ("PUT", "/api/notices/preferences"): one(
        "/api/notices/preferences", expect(200), {"deliveries": {"manifest.signed": "in_app"}}
    ),
    ("POST", "/api/rcrainfo/rcrasite/search"): one(
        "/api/rcrainfo/rcrasite/search", expect(202, tsdf1=409), {"siteId": "VATEST"}
    ),
    ("POST", "/api/rcrainfo-profile/sync"): one("/api/rcrainfo-profile/sync", expect(202)),
    ("POST", "/api/user/tokens"): one("/api/user/tokens", expect(201), {"name": "walk"}),
    ("PUT", "/api/user/current-user"): one(
        "/api/user/current-user", expect(200), {"firstName": "Pat"}
    ),
    ("PUT", "/api/rcrainfo-profile/{username:str}"): update_profile,
    ("POST", "/api/orgs/{slug:str}/sites"): one(
        f"/api/orgs/{ORG}/sites",
        expect(404, testuser1=403, orgadmin=201, viewer1=403),
        {"epaId": "VATEST12345", "name": "x", "siteType": "Generator"},
    ),
    ("PUT", "/api/orgs/{slug:str}/rcrainfo"): one(
        f"/api/orgs/{ORG}/rcrainfo",
        GEN_ORG_ADMIN,
        {"rcraAPIID": "gen-api-id", "rcraAPIKey": "gen-api-key-SECRET-VALUE"},
    ),
    ("POST", "/api/orgs/{slug:str}/webhooks"): lambda world: [
        Case(f"/api/orgs/{ORG}/webhooks", expect(404, **ADMIN_ONLY, orgadmin=201), WEBHOOK),
        Case(
            f"/api/orgs/{ORG}/webhooks",
            expect(404, **ADMIN_ONLY, orgadmin=422),
            {**WEBHOOK, "url": "https://10.0.0.1/hook"},
        ),
    ],
    ("PATCH", "/api/orgs/{slug:str}/webhooks/{endpoint_id:uuid}"): lambda world: [
        Case(f"/api/orgs/{ORG}/webhooks/{world.webhook_id}", GEN_ORG_ADMIN, {"description": "x"}),
        Case(f"/api/orgs/{ORG}/webhooks/{NO_ID}", NOT_THERE_FOR_ADMIN, {"description": "x"}),
    ],
    ("POST", "/api/orgs/{slug:str}/webhooks/{endpoint_id:uuid}/ping"): lambda world: [
        Case(
            f"/api/orgs/{ORG}/webhooks/{world.webhook_id}/ping",
            expect(404, **ADMIN_ONLY, orgadmin=202),
        ),
        Case(f"/api/orgs/{ORG}/webhooks/{NO_ID}/ping", NOT_THERE_FOR_ADMIN),
    ],
    # the test delivery is still waiting for a worker: not delivered again meanwhile
    (
        "POST",
        "/api/orgs/{slug:str}/webhooks/deliveries/{delivery_id:uuid}/redeliver",
    ): lambda world: [
        Case(
            f"/api/orgs/{ORG}/webhooks/deliveries/{world.webhook_delivery_id}/redeliver",
            expect(404, **ADMIN_ONLY, orgadmin=409),
        ),
        Case(f"/api/orgs/{ORG}/webhooks/deliveries/{NO_ID}/redeliver", NOT_THERE_FOR_ADMIN),
    ],
    ("PUT", "/api/orgs/{slug:str}/members/{username:str}"): one(
        f"/api/orgs/{ORG}/members/tsdf1", GEN_ORG_ADMIN, {"role": "member"}
    ),
    ("PUT", "/api/orgs/{slug:str}/members/{username:str}/sites/{epa_id:str}"): one(
        f"/api/orgs/{ORG}/members/testuser1/sites/{GEN}", GEN_ORG_ADMIN, {"role": "signer"}
    ),
    ("DELETE", "/api/manifest/{mtn:str}"): remove,
    ("DELETE", "/api/user/tokens/{token_id:uuid}"): revoke_token,
    ("DELETE", "/api/orgs/{slug:str}/members/{username:str}/sites/{epa_id:str}"): one(
        f"/api/orgs/{ORG}/members/testuser1/sites/{GEN}",
        expect(404, testuser1=403, orgadmin=204, viewer1=403),
    ),
    ("DELETE", "/api/orgs/{slug:str}/members/{username:str}"): one(
        f"/api/orgs/{ORG}/members/tsdf1", expect(404, testuser1=403, orgadmin=204, viewer1=403)
    ),
    ("DELETE", "/api/orgs/{slug:str}/webhooks/{endpoint_id:uuid}"): lambda world: [
        Case(
            f"/api/orgs/{ORG}/webhooks/{world.webhook_id}", expect(404, **ADMIN_ONLY, orgadmin=204)
        ),
        Case(f"/api/orgs/{ORG}/webhooks/{NO_ID}", NOT_THERE_FOR_ADMIN),
    ],
    ("GET", "/api/deadlines"): lambda world: [
        Case("/api/deadlines", expect(200)),
        Case(f"/api/deadlines?site={GEN}", GEN_ORG_MEMBER),
    ],
    ("POST", "/api/manifest/{mtn:str}/deadlines/{kind:str}/reported"): lambda world: [
        # no clock runs on a Scheduled manifest (nothing picked up yet)
        Case(f"/api/manifest/{SCHEDULED}/deadlines/exceptionReport/reported", expect(409), {}),
        Case(f"/api/manifest/{FOREIGN}/deadlines/exceptionReport/reported", expect(404), {}),
    ],
    ("GET", "/api/sites/{epa_id:str}/generator-category"): lambda world: [
        Case(f"/api/sites/{GEN}/generator-category", GEN_ORG_MEMBER),
        Case("/api/sites/VAOTHERGEN01/generator-category", expect(404)),
    ],
    ("PUT", "/api/sites/{epa_id:str}/generator-category"): lambda world: [
        Case(f"/api/sites/{GEN}/generator-category", GEN_ORG_ADMIN, {"category": "SQG"}),
        Case("/api/sites/VAOTHERGEN01/generator-category", expect(404), {"category": "SQG"}),
    ],
    # corrections (issue 13 §2); no worker runs, so the correction task the submit walk above
    # started is still under way, and its owner gets it again
    ("GET", "/api/manifest/{mtn:str}/versions"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/versions", expect(200)),
        Case(f"/api/manifest/{FOREIGN}/versions", expect(404)),
    ],
    ("GET", "/api/manifest/{mtn:str}/versions/{version_number:int}"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/versions/1", expect(404)),  # not pulled yet
        Case(f"/api/manifest/{FOREIGN}/versions/1", expect(404)),
    ],
    ("POST", "/api/manifest/{mtn:str}/versions/refresh"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/versions/refresh", expect(202, tsdf1=409)),
        Case(f"/api/manifest/{SCHEDULED}/versions/refresh", expect(409)),  # no versions yet
        Case(f"/api/manifest/{FOREIGN}/versions/refresh", expect(404)),
    ],
    ("POST", "/api/manifest/{mtn:str}/correction"): lambda world: [
        Case(
            f"/api/manifest/{SIGNED}/correction",
            expect(202, viewer1=403, tsdf1=409),
            document(world, SIGNED),
        ),
        Case(f"/api/manifest/{PENDING}/correction", expect(409), document(world, PENDING)),
        Case(f"/api/manifest/{FOREIGN}/correction", expect(404), document(world, FOREIGN)),
    ],
    ("POST", "/api/manifest/{mtn:str}/correction/sign"): lambda world: [
        # nothing is under correction yet in e-Manifest's copy kept here: 409
        Case(
            f"/api/manifest/{SIGNED}/correction/sign",
            expect(409, viewer1=403),
            lambda role: {"siteId": HOME.get(role, GEN), "printedSignatureName": "Pat Signer"},
        ),
        Case(
            f"/api/manifest/{FOREIGN}/correction/sign",
            expect(404),
            {"siteId": GEN, "printedSignatureName": "Pat Signer"},
        ),
    ],
    ("POST", "/api/manifest/{mtn:str}/correction/revert"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/correction/revert", expect(409)),
        Case(f"/api/manifest/{FOREIGN}/correction/revert", expect(404)),
    ],
    # a manifest's documents (issue 13 §3): whoever may read the manifest (the drafts are
    # deleted by now); tsdf1's org has no RCRAInfo credentials (409)
    ("GET", "/api/manifest/{mtn:str}/attachments"): lambda world: [
        Case("/api/manifest/000000999DFT/attachments", expect(404)),
        *(Case(f"/api/manifest/{mtn}/attachments", expect(200)) for mtn in (PENDING, SIGNED)),
        Case(f"/api/manifest/{FOREIGN}/attachments", expect(404)),
    ],
    ("GET", "/api/manifest/{mtn:str}/attachments/{name:str}"): lambda world: [
        Case(f"/api/manifest/{SIGNED}/attachments/cor-g.html", expect(200)),
        Case(f"/api/manifest/{SIGNED}/attachments/missing.pdf", expect(404)),
        Case(f"/api/manifest/{FOREIGN}/attachments/cor-g.html", expect(404)),
    ],
    ("POST", "/api/manifest/{mtn:str}/attachments/fetch"): lambda world: [
        Case("/api/manifest/000000999DFT/attachments/fetch", expect(404)),
        Case(f"/api/manifest/{SIGNED}/attachments/fetch", expect(202, tsdf1=409)),
        Case(f"/api/manifest/{FOREIGN}/attachments/fetch", expect(404)),
    ],
    ("POST", "/api/rcrainfo/links"): lambda world: [
        # no worker runs here: an allowed link is a task still running (202)
        Case(
            "/api/rcrainfo/links",
            expect(404, testuser1=202, orgadmin=202, viewer1=202),
            {"page": "View", "epaSiteId": GEN, "manifestTrackingNumber": SCHEDULED},
        ),
        Case(
            "/api/rcrainfo/links",
            expect(404, testuser1=202, orgadmin=202, viewer1=403),
            {"page": "Sign", "epaSiteId": GEN, "manifestTrackingNumber": SCHEDULED},
        ),
        Case(
            "/api/rcrainfo/links",
            expect(404),
            {"page": "View", "epaSiteId": GEN, "manifestTrackingNumber": FOREIGN},
        ),
        Case("/api/rcrainfo/links", expect(422), {"page": "Home", "epaSiteId": GEN}),
    ],
    ("POST", "/api/browser/v1/auth/logout"): one("/api/browser/v1/auth/logout", public(200)),
    ("DELETE", "/api/browser/v1/auth/session"): one("/api/browser/v1/auth/session", public(401)),
}


def _api_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api"):
            found |= {(method, route.path) for method in route.methods - {"HEAD", "OPTIONS"}}
    return found


def _outside_the_api(route: Any) -> bool:
    """The admin site's mount (test_admin.py), the web UI's pages and static files (tests/web)."""
    if isinstance(route, ASGIRoute):
        return route.path == "/admin"
    ours = {h.fn.__module__ for h in route.route_handlers} - {"litestar.routes.http"}
    return route.path.startswith("/static/") or all(
        module.startswith("haztrak.entrypoints.web.") for module in ours
    )


@pytest.fixture(params=["embedded", "services"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The conftest's settings, with requests that wait for a task not waiting."""
    environ = {
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "HT_LOG_LEVEL": "WARNING",
        "HT_TASK_WAIT_SECONDS": "0",
    }
    if request.param == "services":
        environ["HT_DATABASE_URL"] = request.getfixturevalue("postgres_databases").create()
        environ["HT_REDIS_URL"] = request.getfixturevalue("flushed_redis")
    return load_settings(environ, dotenv=None)


async def test_every_api_route_has_an_entry(app: Litestar) -> None:
    routes = _api_routes(app)
    assert routes - ROUTES.keys() == set(), "give each new route its rules in ROUTES"
    assert ROUTES.keys() - routes == set(), "an entry for a route that is gone"
    others = [r.path for r in app.routes if not r.path.startswith("/api")]
    assert all(_outside_the_api(r) for r in app.routes if r.path in others), others


async def _world(app: Litestar) -> AsyncIterator[World]:
    container = app.state.dishka_container
    async with container() as scope:
        await (await scope.get(CreateUser))("viewer1", Secret(PASSWORD))
    async with http_client(app) as anonymous_client:
        browsers = {"anonymous": Browser(anonymous_client)}
        sessions = [_logged_in(app, name) for name in USERS if name != "viewer1"]
        for name, session in zip([n for n in USERS if n != "viewer1"], sessions, strict=True):
            browsers[name] = await anext(session)
        admin = browsers["orgadmin"]
        assert (
            await admin.put(f"/api/orgs/{ORG}/members/viewer1", json={"role": "member"})
        ).is_success
        viewer_role = {"role": "viewer"}
        response = await admin.put(f"/api/orgs/{ORG}/members/viewer1/sites/{GEN}", json=viewer_role)
        assert response.is_success, response.text
        viewer_session = _logged_in(app, "viewer1")
        browsers["viewer1"] = await anext(viewer_session)
        world = World(app=app, browsers=browsers)
        for label, author in [(GEN_DRAFT, "testuser1"), (TRANS_DRAFT, "transporter1")]:
            created = await browsers[author].post(
                "/api/manifest", json=manifest_document(**_PARTIES[label])
            )
            assert created.status_code == 201, created.text
            world.mtns[label] = created.json()["manifestTrackingNumber"]
        for mtn in (PENDING, SCHEDULED, SIGNED, FOREIGN):
            await store_from_rcrainfo(
                app, a_manifest(mtn=mtn, status=_STATUS[mtn], **_PARTIES[mtn])
            )
        for mtn in (SIGNED, FOREIGN):
            files = await container.get(ManifestFiles)
            await files.keep(mtn, "cor-g.html", b"<html>copy of record</html>")
        token = await browsers["testuser1"].post("/api/user/tokens", json={"name": "theirs"})
        world.token_id = token.json()["id"]
        task = await browsers["testuser1"].post(
            "/api/manifest/emanifest/sync", json={"siteId": GEN}
        )
        assert task.status_code == 202, task.text
        world.task_id = task.json()["taskId"]
        hook = await admin.post(f"/api/orgs/{ORG}/webhooks", json=WEBHOOK)
        assert hook.status_code == 201, hook.text
        world.webhook_id = hook.json()["endpoint"]["id"]
        ping = await admin.post(f"/api/orgs/{ORG}/webhooks/{world.webhook_id}/ping")
        assert ping.status_code == 202, ping.text
        world.webhook_delivery_id = ping.json()["id"]
        yield world
        for session in [*sessions, viewer_session]:
            await session.aclose()


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_what_the_rules_say_on_every_route(app: Litestar, role: str) -> None:
    async for world in _world(app):
        browser = world.browsers[role]
        wrong = []
        for (method, _), cases in ROUTES.items():
            for case in cases(world):
                path = case.path(role) if callable(case.path) else case.path
                body = case.body(role) if callable(case.body) else case.body
                response = await browser.request(
                    method, path, **({"json": body} if body is not None else {})
                )
                if response.status_code != case.expected[role]:
                    wrong.append(
                        (
                            method,
                            path,
                            case.expected[role],
                            response.status_code,
                            response.text[:200],
                        )
                    )
                elif case.check is not None and response.is_success:
                    case.check(role, response)
        assert wrong == [], "\n".join(map(str, wrong))
