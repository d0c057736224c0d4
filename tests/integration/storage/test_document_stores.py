"""One contract for the DocumentStore port, run on the in-memory fake, the folder adapter and
the S3 adapter against moto's S3 server started here on 127.0.0.1 (no network)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from haztrak.adapters.storage import FolderDocumentStore, S3DocumentStore
from haztrak.application.ports.storage import DocumentStore, DocumentStoreUnavailable
from haztrak.domain.secrets import Secret
from tests import ports
from tests.fakes_storage import MemoryDocumentStore


def _free_port() -> int:
    return ports.free_port()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_store(endpoint: str, bucket: str, **kw: object) -> S3DocumentStore:
    return S3DocumentStore(
        bucket=bucket,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key_id=Secret("test-access-key"),
        secret_access_key=Secret("test-secret-key-NOT-TO-BE-SHOWN"),
        timeout_seconds=5,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["memory", "folder", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    if request.param == "memory":
        yield MemoryDocumentStore()
    elif request.param == "folder":
        yield FolderDocumentStore(tmp_path / "documents")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        s3 = s3_store(endpoint, f"haztrak-{uuid.uuid4().hex}", prefix="deploy-a")
        await s3.ensure_bucket()
        yield s3
        s3.close()


async def test_a_stored_file_reads_back_and_is_listed_in_its_folder(store: DocumentStore) -> None:
    await store.put("manifests/100000001ELC/cor-g.html", b"<html>g</html>", "text/html")
    await store.put("manifests/100000001ELC/scan.pdf", b"%PDF-1.4", "application/pdf")
    await store.put("manifests/100000002ELC/other.pdf", b"%PDF-other", "application/pdf")
    assert await store.get("manifests/100000001ELC/scan.pdf") == b"%PDF-1.4"
    listed = await store.files("manifests/100000001ELC/")
    assert [(f.name, f.size, f.content_type) for f in listed] == [
        ("cor-g.html", 14, "text/html"),
        ("scan.pdf", 8, "application/pdf"),
    ]
    assert all(f.modified is not None for f in listed)
    assert await store.files("manifests/100000009ELC/") == []


async def test_a_file_is_replaced_whole_and_deleted(store: DocumentStore) -> None:
    key = "outbox/abc.zip"
    await store.put(key, b"first", "application/zip")
    await store.put(key, b"second, longer", "application/zip")
    assert await store.get(key) == b"second, longer"
    await store.delete(key)
    assert await store.get(key) is None
    await store.delete(key)  # a missing file is not an error
    assert await store.get("outbox/never.zip") is None


@pytest.mark.parametrize("key", ["../etc/passwd", "manifests//x", "/abs", "a/../b", "a/.."])
async def test_keys_that_could_leave_their_folder_are_refused(
    store: DocumentStore, key: str
) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError, match="not a storage key"):
        await store.get(key)


async def test_the_s3_prefix_keeps_deployments_apart(s3_endpoint: str) -> None:
    first = s3_store(s3_endpoint, "shared-bucket", prefix="first")
    second = s3_store(s3_endpoint, "shared-bucket", prefix="second")
    await first.ensure_bucket()
    await first.put("manifests/100000001ELC/a.pdf", b"first's", "application/pdf")
    assert await second.get("manifests/100000001ELC/a.pdf") is None
    assert await second.files("manifests/100000001ELC/") == []
    assert [f.name for f in await first.files("manifests/100000001ELC/")] == ["a.pdf"]


async def test_s3_failures_name_no_secret(s3_endpoint: str) -> None:
    missing = s3_store(s3_endpoint, "no-such-bucket")
    with pytest.raises(DocumentStoreUnavailable) as caught:
        await missing.put("manifests/100000001ELC/a.pdf", b"x", "application/pdf")
    assert "NoSuchBucket" in str(caught.value)
    assert "NOT-TO-BE-SHOWN" not in str(caught.value)
    assert "NOT-TO-BE-SHOWN" not in repr(missing)
    unreachable = s3_store(f"http://127.0.0.1:{_free_port()}", "bucket")
    with pytest.raises(DocumentStoreUnavailable, match="object storage refused a read"):
        await unreachable.get("manifests/100000001ELC/a.pdf")


async def test_a_folder_that_cannot_be_written_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    store = FolderDocumentStore(blocker)
    with pytest.raises(DocumentStoreUnavailable, match="refused a write"):
        await store.put("manifests/100000001ELC/a.pdf", b"x", "application/pdf")
