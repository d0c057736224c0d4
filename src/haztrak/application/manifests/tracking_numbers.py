"""The unpaginated tracking-number list, as the original client reads it: versioned, so a
client revalidates it (304), and served from a cache kept per version (issue 16)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from haztrak.application.manifests.queries import tracking_number_query
from haztrak.application.ports.persistence import Principals
from haztrak.application.ports.tracking_numbers import TrackingNumberLists
from haztrak.domain.identity import User


class TrackingNumbersJson(msgspec.Struct, frozen=True, kw_only=True):
    tag: str
    """The list's version: the entity tag."""
    body: bytes | AsyncIterator[bytes] | None
    """The JSON array; None when the client holds this version (If-None-Match)."""


class StreamTrackingNumbers:
    """ListTrackingNumbers' list as JSON, with its version; nothing read but the version
    when the client already has it. A change is seen by the next request (the version is the
    database's, read each time)."""

    def __init__(self, lists: TrackingNumberLists, principals: Principals) -> None:
        self._lists = lists
        self._principals = principals

    async def __call__(
        self,
        user: User,
        epa_id: str | None = None,
        site_type: str | None = None,
        *,
        held: frozenset[str] = frozenset(),
    ) -> TrackingNumbersJson:
        """`held`: the versions the client says it has (If-None-Match, unquoted)."""
        grants = await self._principals.grants(user.id)
        query = tracking_number_query(grants, epa_id, site_type)
        tag = await self._lists.version(query)
        if tag in held or "*" in held:
            return TrackingNumbersJson(tag=tag, body=None)
        return TrackingNumbersJson(tag=tag, body=await self._lists.json(query, tag))
