"""Every manifest's page links its printed form (the PDF of form 8700-22), beside the print
view; the link lands on the API with the session cookie."""

from __future__ import annotations

import io

from litestar import Litestar
from pypdf import PdfReader

from haztrak.domain.manifest.form import DRAFT_STAMP
from tests.manifest_documents import manifest_document
from tests.web.conftest import WebUser
from tests.web.support import stored


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


async def _pdf_link(user: WebUser, mtn: str) -> str:
    page = await user.get(f"/manifests/{mtn}")
    assert page.status == 200
    actions = page.one(".manifest-actions")
    assert actions.select_one(f"a[href='/manifests/{mtn}/print']") is not None  # still there
    (link,) = [a for a in actions.select("a") if a.get_text(strip=True) == "Download PDF"]
    assert link["download"] == f"manifest-{mtn}.pdf"
    return str(link["href"])


async def test_a_manifest_page_links_its_pdf(app: Litestar, generator_user: WebUser) -> None:
    await stored(app, "100000001ELC", "Signed")
    href = await _pdf_link(generator_user, "100000001ELC")
    assert href == "/api/manifest/100000001ELC/pdf"
    pdf = await generator_user.client.get(href)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert "DRAFT" not in _text(pdf.content)


async def test_a_draft_page_links_its_stamped_pdf(generator_user: WebUser) -> None:
    created = await generator_user.client.post(
        "/api/manifest", json=manifest_document(), headers={"X-CSRFToken": generator_user.csrf}
    )
    assert created.status_code == 201, created.text
    mtn = created.json()["manifestTrackingNumber"]
    href = await _pdf_link(generator_user, mtn)
    pdf = await generator_user.client.get(href)
    assert pdf.status_code == 200
    assert pdf.headers["content-disposition"] == f'attachment; filename="manifest-{mtn}.pdf"'
    assert DRAFT_STAMP in _text(pdf.content)
