"""HTTP validators: entity tags, If-None-Match, and cacheable JSON answers."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response

_encoder = msgspec.json.Encoder()


def quoted(tag: str) -> str:
    return f'"{tag}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison: `*`, or any listed tag, W/ or not."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for listed in if_none_match.split(","):
        tag = listed.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


_encoded: dict[int, tuple[object, bytes, str]] = {}
"""Bodies of tuples encoded before, by identity: lookups hand out the same tuples until they
reload, so their bodies and tags are computed once."""
_MAX_ENCODED = 256


def _body_and_tag(value: object) -> tuple[bytes, str]:
    if isinstance(value, tuple):
        known = _encoded.get(id(value))
        if known is not None and known[0] is value:
            return known[1], known[2]
    body = _encoder.encode(value)
    tag = quoted(hashlib.blake2b(body, digest_size=16).hexdigest())
    if isinstance(value, tuple):
        if len(_encoded) >= _MAX_ENCODED:
            _encoded.clear()
        _encoded[id(value)] = (value, body, tag)  # holding the tuple keeps its id unique
    return body, tag


def cacheable_json(
    request: Request[Any, Any, Any], value: object, *, max_age: int = 3600
) -> Response[bytes]:
    """JSON any client or shared cache may keep for `max_age` seconds, with an ETag taken
    from the body; a matching If-None-Match answers 304 without it."""
    body, etag = _body_and_tag(value)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
