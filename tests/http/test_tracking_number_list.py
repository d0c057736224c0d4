"""The unpaginated tracking-number list (issue 16): versioned (ETag, 304), served from a
cache per version, streamed in chunks when large, and a change is seen at once by whoever
made it, on both backends."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from litestar import Litestar

from haztrak.adapters.persistence import tracking_number_lists
from tests.http.conftest import Browser
from tests.manifest_documents import manifest_document


async def _create(browser: Browser) -> str:
    response = await browser.post("/api/manifest", json=manifest_document())
    assert response.status_code == 201, response.text
    return str(response.json()["manifestTrackingNumber"])


async def _numbers(browser: Browser, path: str = "/VATESTGEN001", **headers: str) -> Any:
    return await browser.get(f"/api/manifest/mtn{path}", headers=headers)


async def test_the_list_is_revalidated_and_a_change_is_seen_at_once(testuser1: Browser) -> None:
    first = await _create(testuser1)
    listed = await _numbers(testuser1)
    assert listed.status_code == 200
    assert [item["manifestTrackingNumber"] for item in listed.json()] == [first]
    tag = listed.headers["etag"]
    assert listed.headers["cache-control"] == "private, no-cache"

    unchanged = await _numbers(testuser1, **{"If-None-Match": tag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged.headers["etag"] == tag
    assert (await _numbers(testuser1, **{"If-None-Match": f"W/{tag}"})).status_code == 304
    again = await _numbers(testuser1)  # from the cache: the same body
    assert (again.content, again.headers["etag"]) == (listed.content, tag)

    # a new draft: the very next request of its maker sees it, under a new tag
    second = await _create(testuser1)
    changed = await _numbers(testuser1, **{"If-None-Match": tag})
    assert changed.status_code == 200
    assert [item["manifestTrackingNumber"] for item in changed.json()] == [second, first]
    assert changed.headers["etag"] != tag

    # deleted: gone at once too
    read = await testuser1.get(f"/api/manifest/{second}")
    gone = await testuser1.delete(
        f"/api/manifest/{second}", headers={"If-Match": read.headers["etag"]}
    )
    assert gone.status_code == 204, gone.text
    after = await _numbers(testuser1, **{"If-None-Match": changed.headers["etag"]})
    assert after.status_code == 200
    assert [item["manifestTrackingNumber"] for item in after.json()] == [first]

    # another part the site plays is another list, with its own tag
    as_tsdf = await _numbers(testuser1, "/VATESTGEN001/Tsdf")
    assert as_tsdf.json() == []
    assert as_tsdf.headers["etag"] != after.headers["etag"]


async def test_a_large_list_is_streamed_in_chunks_and_cached_per_version(
    app: Litestar, testuser1: Browser, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # chunks of 2 manifests and "large" from 1 byte: the walk and the streamed file are used
    monkeypatch.setattr(tracking_number_lists, "CHUNK", 2)
    monkeypatch.setattr(tracking_number_lists, "WHOLE_BELOW", 1)
    made = [await _create(testuser1) for _ in range(5)]
    streamed = await _numbers(testuser1)
    assert streamed.status_code == 200
    assert [item["manifestTrackingNumber"] for item in streamed.json()] == made[::-1]
    cached = await _numbers(testuser1)  # read back from the file, in pieces
    assert cached.content == streamed.content
    assert cached.headers["etag"] == streamed.headers["etag"]
    empty = await _numbers(testuser1, "/VATESTGEN001/Broker")
    assert empty.json() == []


async def test_the_walk_holds_one_chunk_not_the_list(
    app: Litestar, testuser1: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory follows the chunk, not the list: with chunks of 5, listing 60 manifests holds
    about what listing 10 does."""
    monkeypatch.setattr(tracking_number_lists, "CHUNK", 5)
    monkeypatch.setattr(tracking_number_lists, "WHOLE_BELOW", 1)

    async def peak(count: int) -> int:
        for _ in range(count):
            await _create(testuser1)
        tracemalloc.start()
        try:
            response = await _numbers(testuser1)
            assert response.status_code == 200
            size = len(response.content)
            _, high = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return high - size  # the body the test client collects is not the server's

    small = await peak(10)
    large = await peak(50)
    assert large < small * 2 + 64 * 1024, (small, large)
