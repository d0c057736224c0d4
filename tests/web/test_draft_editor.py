"""The draft editor: a form that builds EPA's manifest JSON, checks it through the validate use
case, saves drafts incomplete, keeps stale edits from overwriting, and works without JavaScript."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar

from haztrak.entrypoints.settings import Settings
from tests.http.conftest import http_client
from tests.manifest_documents import manifest_document
from tests.web.conftest import Page, WebUser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These apps run no worker: a request that asks RCRAInfo follows the task at once."""
    return msgspec.structs.replace(
        settings, tasks=msgspec.structs.replace(settings.tasks, wait_seconds=0)
    )


def form_of(page: Page) -> dict[str, str]:
    """The values a browser would post from the editor's form (without any button)."""
    form = page.one("form#draft-form")
    values: dict[str, str] = {}
    for element in form.select("input[name], select[name]"):
        name = element["name"]
        if element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            values[name] = chosen["value"] if chosen else ""
        elif element.get("type") not in ("submit", "button"):
            values[name] = element.get("value", "")
    return values


async def post_form(user: WebUser, url: str, page: Page, op: str, **changes: str) -> Page:
    return await user.post(url, {**form_of(page), **changes, "op": op})


async def a_draft(user: WebUser, **changes: Any) -> tuple[str, str]:
    """A draft made through the API: its tracking number and ETag."""
    response = await user.client.post(
        "/api/manifest",
        json=manifest_document(**changes),
        headers={"X-CSRFToken": user.csrf},
    )
    assert response.status_code == 201, response.text
    return response.json()["manifestTrackingNumber"], response.headers["etag"]


def labelled(page: Page, name: str) -> Any:
    element = page.one(f"[name='{name}']")
    assert page.one(f"label[for='{element['id']}']").get_text(strip=True)
    return element


async def test_the_new_draft_form_has_labelled_inputs(generator_user: WebUser) -> None:
    page = await generator_user.get("/manifests/new")
    assert page.status == 200, page.response.text
    assert page.h1 == "New manifest"
    generator = labelled(page, "generator.epaSiteId")
    assert [o["value"] for o in generator.select("option")] == ["VATESTGEN001"]
    for name in (
        "generator.emergencyPhone.number",
        "transporters.0.epaSiteId",
        "transporters.0.siteAddress.city",
        "designatedFacility.epaSiteId",
        "designatedFacility.contact.phone.number",
        "wastes.0.dotHazardous",
        "wastes.0.dotInformation.idNumber.code",
        "wastes.0.dotInformation.shippingName",
        "wastes.0.dotInformation.hazardClass",
        "wastes.0.dotInformation.packingGroup",
        "wastes.0.quantity.containerNumber",
        "wastes.0.quantity.containerType.code",
        "wastes.0.quantity.quantity",
        "wastes.0.quantity.unitOfMeasurement.code",
        "wastes.0.hazardousWaste.federalWasteCodes",
        "wastes.0.managementMethod.code",
        "wastes.0.additionalInfo.handlingInstructions",
        "_find.transporters.0",
    ):
        labelled(page, name)
    assert page.one("form#draft-form input[name=csrf_token]")["value"] == generator_user.csrf
    assert not [s for s in page.all("script") if not s.get("src")]
    assert not page.all("[style]")


async def test_an_incomplete_draft_is_saved_with_warnings(generator_user: WebUser) -> None:
    page = await generator_user.get("/manifests/new")
    saved = await post_form(
        generator_user,
        "/manifests/new",
        page,
        "save",
        **{"transporters.0.epaSiteId": "MOCKTRANS001"},
    )
    assert saved.status == 303, saved.response.text
    location = saved.response.headers["location"]
    mtn = location.rsplit("/", 1)[-1]
    assert location == f"/manifests/{mtn}"
    assert mtn.endswith("DFT")
    stored = (await generator_user.client.get(f"/api/manifest/{mtn}")).json()
    assert stored["generator"]["epaSiteId"] == "VATESTGEN001"
    assert stored["generator"]["name"] == "VA TEST GEN 2021"  # from the site's record
    assert stored["transporters"][0]["name"] == "MOCK TRANSPORTER 1"
    assert stored["transporters"][0]["order"] == 1
    editor = await generator_user.follow(f"/manifests/{mtn}/edit")
    assert editor.h1 == f"Edit manifest {mtn}"
    assert editor.one("[name='transporters.0.epaSiteId']")["value"] == "MOCKTRANS001"


async def test_a_field_error_shows_at_its_field_and_in_the_summary(generator_user: WebUser) -> None:
    page = await generator_user.get("/manifests/new")
    typed = {"wastes.0.quantity.quantity": "abc", "wastes.0.quantity.unitOfMeasurement.code": "G"}
    bad = await post_form(generator_user, "/manifests/new", page, "save", **typed)
    assert bad.status == 422
    field = bad.one("input[name='wastes.0.quantity.quantity']")
    assert field["aria-invalid"] == "true"
    message = bad.one(f"#{field['aria-describedby'].split()[-1]}")
    assert "must be an integer" in message.get_text(" ", strip=True)
    links = bad.all("#error-summary a")
    assert [a["href"] for a in links] == [f"#{field['id']}"]
    assert "Waste line 1: Total quantity" in links[0].get_text()
    assert bad.one("[name='wastes.0.quantity.quantity']")["value"] == "abc"

    fixed = await post_form(
        generator_user, "/manifests/new", bad, "check", **{"wastes.0.quantity.quantity": "10"}
    )
    assert fixed.status == 200
    assert not fixed.all("#error-summary")
    assert not fixed.one("input[name='wastes.0.quantity.quantity']").get("aria-invalid")


async def test_checking_as_the_user_types_names_each_input(generator_user: WebUser) -> None:
    page = await generator_user.get("/manifests/new")
    fields = {**form_of(page), "wastes.0.quantity.quantity": "abc", "csrf_token": ""}
    fields["wastes.0.quantity.unitOfMeasurement.code"] = "G"
    check = await generator_user.htmx("POST", "/drafts/validate", data=fields)
    assert check.status == 200
    problems = {li["data-field"]: li for li in check.all("[data-problems] li")}
    assert problems["f-wastes-0-quantity-quantity"]["data-level"] == "error"
    assert check.one("#error-summary a")["href"] == "#f-wastes-0-quantity-quantity"
    fields["wastes.0.quantity.quantity"] = "10"
    again = await generator_user.htmx("POST", "/drafts/validate", data=fields)
    assert not again.all("#error-summary")
    assert "f-wastes-0-quantity-quantity" not in {
        li["data-field"] for li in again.all("[data-problems] li")
    }


async def test_transporters_are_added_moved_and_removed_without_javascript(
    generator_user: WebUser,
) -> None:
    page = await generator_user.get("/manifests/new")
    url = "/manifests/new"
    two = await post_form(
        generator_user, url, page, "add_transporter", **{"transporters.0.epaSiteId": "MOCKTRANS001"}
    )
    assert two.status == 200
    assert len(two.all("[name$='.epaSiteId'][name^='transporters.']")) == 2
    filled = form_of(two) | {"transporters.1.epaSiteId": "MOCKTRANS002"}
    moved = await generator_user.post(url, {**filled, "op": "up:1"})
    ids = [e["value"] for e in moved.all("[name$='.epaSiteId'][name^='transporters.']")]
    assert ids == ["MOCKTRANS002", "MOCKTRANS001"]
    assert moved.text("#transporter-0-title") == "Transporter 1"
    one = await post_form(generator_user, url, moved, "remove_transporter:0")
    ids = [e["value"] for e in one.all("[name$='.epaSiteId'][name^='transporters.']")]
    assert ids == ["MOCKTRANS001"]
    saved = await post_form(generator_user, url, one, "save")
    mtn = saved.response.headers["location"].rsplit("/", 1)[-1]
    stored = (await generator_user.client.get(f"/api/manifest/{mtn}")).json()
    assert [(t["epaSiteId"], t["order"]) for t in stored["transporters"]] == [("MOCKTRANS001", 1)]


async def test_handler_search_finds_local_handlers_and_fills_the_party(
    generator_user: WebUser,
) -> None:
    found = await generator_user.htmx(
        "GET", "/drafts/handlers", params={"_find.transporters.0": "mocktrans"}
    )
    assert found.status == 200
    values = [b["value"] for b in found.all("button[name=op]")]
    assert "choose:transporters.0:MOCKTRANS001" in values
    assert "choose:transporters.0:MOCKTRANS002" in values

    page = await generator_user.get("/manifests/new")
    url = "/manifests/new"
    listed = await post_form(
        generator_user,
        url,
        page,
        "find:designatedFacility",
        **{"_find.designatedFacility": "tsdf 1"},
    )
    choices = [b["value"] for b in listed.all("#results-designatedFacility button[name=op]")]
    assert choices[:1] == ["choose:designatedFacility:MOCKTSDFS001"]
    chosen = await post_form(generator_user, url, listed, "choose:designatedFacility:MOCKTSDFS001")
    assert chosen.one("[name='designatedFacility.epaSiteId']")["value"] == "MOCKTSDFS001"
    assert chosen.one("[name='designatedFacility.name']")["value"] == "MOCK TSDF 1"
    assert chosen.one("[name='designatedFacility.siteAddress.city']")["value"] == "JEFFERSON CITY"


@pytest.fixture
async def staff_only(app: Litestar) -> AsyncIterator[WebUser]:
    """admin: staff, with no role on any site."""
    async with http_client(app) as client:
        user = WebUser(client)
        assert (await user.sign_in("admin")).status == 303
        yield user


async def test_who_holds_no_preparer_role_gets_no_editor(
    generator_user: WebUser, transporter_user: WebUser, staff_only: WebUser
) -> None:
    refused = await staff_only.get("/manifests/new")
    assert refused.status == 403
    assert refused.h1 == "Not allowed"
    mtn, _ = await a_draft(generator_user)
    foreign = await transporter_user.get(f"/manifests/{mtn}/edit")
    assert foreign.status == 404
    assert (await transporter_user.post(f"/manifests/{mtn}/edit", {"op": "save"})).status == 404


async def test_a_stale_edit_is_refused_with_the_conflict_message(generator_user: WebUser) -> None:
    mtn, etag = await a_draft(generator_user)
    page = await generator_user.get(f"/manifests/{mtn}/edit")
    assert page.one("input[name=_version]")["value"] == etag.strip('"')
    changed = manifest_document(transporters=("MOCKTRANS002",))
    response = await generator_user.client.put(
        f"/api/manifest/{mtn}",
        json=changed,
        headers={"X-CSRFToken": generator_user.csrf, "If-Match": etag},
    )
    assert response.status_code == 200
    stale = await post_form(generator_user, f"/manifests/{mtn}/edit", page, "save")
    assert stale.status == 409
    assert "changed in the meantime" in stale.text("#draft-conflict").lower()
    assert stale.one("#draft-conflict a")["href"] == f"/manifests/{mtn}/edit"
    stored = (await generator_user.client.get(f"/api/manifest/{mtn}")).json()
    assert [t["epaSiteId"] for t in stored["transporters"]] == ["MOCKTRANS002"]


async def test_editing_keeps_what_the_form_does_not_show(generator_user: WebUser) -> None:
    document = manifest_document()
    document["generator"]["contact"]["email"] = "KEEP@EXAMPLE.COM"
    document["wastes"][0]["brInfo"] = {"density": 1.5}
    response = await generator_user.client.post(
        "/api/manifest", json=document, headers={"X-CSRFToken": generator_user.csrf}
    )
    mtn = response.json()["manifestTrackingNumber"]
    page = await generator_user.get(f"/manifests/{mtn}/edit")
    saved = await post_form(
        generator_user,
        f"/manifests/{mtn}/edit",
        page,
        "save",
        **{"wastes.0.quantity.quantity": "9"},
    )
    assert saved.status == 303
    stored = (await generator_user.client.get(f"/api/manifest/{mtn}")).json()
    assert stored["generator"]["contact"]["email"] == "KEEP@EXAMPLE.COM"
    assert stored["wastes"][0]["brInfo"] == {"density": 1.5}
    assert stored["wastes"][0]["quantity"]["quantity"] == 9
    assert stored["wastes"][0]["dotInformation"]["printedDotInformation"] == (
        "NA1993, Waste Diesel fuel, 3, III"
    )


async def test_sending_needs_a_manifest_valid_for_emanifest(generator_user: WebUser) -> None:
    page = await generator_user.get("/manifests/new")
    refused = await post_form(generator_user, "/manifests/new", page, "submit")
    assert refused.status == 422
    assert "not sent to e-Manifest" in refused.text("#draft-notice")
    assert refused.one("form#draft-form")["action"].endswith("/edit")  # saved as a draft
    assert refused.all("#error-summary a")
    assert refused.one("[name='generator.emergencyPhone.number']")["value"] == "888-456-1234"
    field = refused.one("[name='designatedFacility.epaSiteId']")
    assert field["aria-invalid"] == "true"
    mtn, _ = await a_draft(generator_user)
    complete = await generator_user.get(f"/manifests/{mtn}/edit")
    sent = await post_form(generator_user, f"/manifests/{mtn}/edit", complete, "submit")
    assert sent.status == 303, sent.text("main")
    assert sent.response.headers["location"] == f"/manifests/{mtn}"


async def test_rcrainfo_is_searched_in_a_task_whose_progress_is_shown(
    generator_user: WebUser,
) -> None:
    started = await generator_user.htmx(
        "POST",
        "/drafts/rcrainfo",
        params={"slot": "transporters.0"},
        data={"_find.transporters.0": "vatest", "_find.designatedFacility": "other"},
    )
    assert started.status == 200
    box = started.one("[hx-get^='/drafts/rcrainfo/']")
    assert "Searching RCRAInfo for VATEST" in box.get_text(" ", strip=True)
    assert box["hx-target"] == "#results-transporters-0"
    task_id = box["hx-get"].split("/")[-1].split("?")[0]
    assert started.one(f"a[href='/tasks/{task_id}']")
    polled = await generator_user.htmx("GET", box["hx-get"])
    assert polled.status == 200
    assert polled.one("[hx-get^='/drafts/rcrainfo/']")  # still waiting for a worker

    refused = await generator_user.htmx(
        "POST",
        "/drafts/rcrainfo",
        params={"slot": "designatedFacility"},
        data={"_find.designatedFacility": "MOCK TSDF"},
    )
    assert "searched by EPA ID" in refused.text(".alert")


async def test_a_viewer_of_the_generator_gets_no_editor_for_its_drafts(
    generator_user: WebUser, transporter_user: WebUser, org_admin: WebUser
) -> None:
    org = "/api/orgs/generators-org-llc/members/transporter1"
    headers = {"X-CSRFToken": org_admin.csrf}
    assert (await org_admin.client.put(org, json={}, headers=headers)).status_code < 300
    viewer = await org_admin.client.put(
        f"{org}/sites/VATESTGEN001", json={"role": "viewer"}, headers=headers
    )
    assert viewer.status_code < 300, viewer.text
    mtn, _ = await a_draft(generator_user)
    assert (await transporter_user.get(f"/manifests/{mtn}/edit")).status == 404
    own = await transporter_user.get("/manifests/new")  # its own sites, not the viewed one
    sites = [o["value"] for o in own.all("[name='generator.epaSiteId'] option")]
    assert sites == ["MOCKTRANS001", "MOCKTRANS002"]
