"""GET /api/manifest/{mtn}/pdf on both backends: the form for whoever may read the manifest,
stamped when a draft; 404 for anyone else, as the manifest itself."""

from __future__ import annotations

import io

from litestar import Litestar
from pypdf import PdfReader

from haztrak.domain.manifest import manifest_from_document
from haztrak.domain.manifest.form import DRAFT_STAMP
from tests.http.conftest import Browser, store_from_rcrainfo
from tests.manifest_documents import manifest_document
from tests.manifest_forms import SIGNED_MTN, signed_manifest

FOREIGN = "100000004ELC"


def texts(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


async def test_a_reader_of_the_manifest_gets_its_form(
    app: Litestar, testuser1: Browser, tsdf1: Browser
) -> None:
    await store_from_rcrainfo(app, signed_manifest(3, 6))
    for browser in (testuser1, tsdf1):
        response = await browser.get(f"/api/manifest/{SIGNED_MTN}/pdf")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="manifest-{SIGNED_MTN}.pdf"'
        )
        assert response.headers["cache-control"] == "private, no-store"
        main, sheet = texts(response.content)
        assert SIGNED_MTN in main
        assert "Gina Generator" in main
        assert "Transporter MOCKTRANS003" in sheet
        assert "DRAFT" not in main


async def test_a_draft_prints_stamped_for_its_own_site_only(
    testuser1: Browser, tsdf1: Browser
) -> None:
    created = await testuser1.post("/api/manifest", json=manifest_document())
    assert created.status_code == 201, created.text
    draft = created.json()["manifestTrackingNumber"]
    response = await testuser1.get(f"/api/manifest/{draft}/pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="manifest-{draft}.pdf"'
    (page,) = texts(response.content)
    assert DRAFT_STAMP in page
    assert draft in page
    # the designated facility is named on the draft, but a draft is its preparing site's
    assert (await tsdf1.get(f"/api/manifest/{draft}/pdf")).status_code == 404


async def test_a_foreign_or_unknown_manifest_is_not_found(
    app: Litestar, testuser1: Browser, anonymous: Browser
) -> None:
    foreign = manifest_document(
        mtn=FOREIGN,
        status="Scheduled",
        generator="VAOTHERGEN01",
        transporters=("VAOTHERTRN01",),
        tsdf="VAOTHERTSD01",
    )
    await store_from_rcrainfo(app, manifest_from_document(foreign))
    for mtn in (FOREIGN, "999999999ELC", "not-a-number"):
        response = await testuser1.get(f"/api/manifest/{mtn}/pdf")
        assert response.status_code == 404, (mtn, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await anonymous.get(f"/api/manifest/{FOREIGN}/pdf")).status_code == 401


async def test_the_api_docs_describe_the_pdf(anonymous: Browser) -> None:
    schema = (await anonymous.get("/api/schema/openapi.json")).json()
    operation = schema["paths"]["/api/manifest/{mtn}/pdf"]["get"]
    ok = operation["responses"]["200"]["content"]
    assert ok == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert {"401", "404"} <= set(operation["responses"])
