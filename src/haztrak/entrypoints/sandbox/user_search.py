"""`POST v1/user/user-search`: users of the key holder's sites and their permissions.

A Site Manager sees only the sites they manage: other users' permissions on those sites, never
on anyone else's.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec

from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.sites import site_names
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.sandbox.users import RcraUser


class UserSearch(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    user_id: str | None = None
    site_ids: list[str] | None = None
    page_number: int | None = None


def search_users(state: SandboxState, caller: RcraUser, body: Any) -> dict[str, Any]:
    try:
        criteria = msgspec.convert(body, UserSearch)
    except msgspec.ValidationError as error:
        raise RcraError("E_SystemError", f"Invalid user search criteria: {error}") from None
    managed = caller.managed_site_ids
    if not managed:
        raise RcraError(
            "E_IndustryPermissions", "The user does not have industry permissions for any Site", 403
        )
    searched: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    visible = managed
    if criteria.site_ids:
        wanted = {site_id.strip().upper() for site_id in criteria.site_ids}
        for site_id in sorted(wanted - managed):
            warnings.append(
                {
                    "field": "siteIds",
                    "message": "The user does not have Site Manager permission for the site; "
                    "it is left out of the search",
                    "value": site_id,
                }
            )
        visible = frozenset(wanted & managed)
        searched.append({"field": "siteIds", "value": f"[{', '.join(sorted(wanted))}]"})
    if criteria.user_id:
        searched.append({"field": "userId", "value": criteria.user_id})
    page = criteria.page_number or 1
    if page < 1:
        raise RcraError("E_InvalidPageNumber", "Page number must be a positive number")
    with state.lock:
        users = sorted(state.users.values(), key=lambda u: u.user_id)
        names = site_names(state.sites)
    found = [
        user
        for user in users
        if user.site_ids & visible
        and (not criteria.user_id or user.user_id.lower() == criteria.user_id.strip().lower())
    ]
    size = state.settings.page_size
    chosen = found[(page - 1) * size : page * size]
    return {
        "totalNumberOfUsers": len(found),
        "totalNumberOfPages": math.ceil(len(found) / size),
        "currentPageNumber": page,
        "warnings": warnings,
        "searchedParameters": searched,
        "users": [user.search_entry(names, visible) for user in chosen],
    }
