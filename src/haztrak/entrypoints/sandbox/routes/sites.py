"""Site details, site exists, site search and user search."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post

from haztrak.domain.handlers import is_epa_id
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.routes.common import json_object
from haztrak.entrypoints.sandbox.sites import SiteSearch, check_site_id, search_sites, site_json
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.sandbox.user_search import search_users
from haztrak.entrypoints.sandbox.users import RcraUser

OK = 200


@get("/site-details/{site_id:str}", sync_to_thread=False)
def site_details(sandbox: SandboxState, site_id: str) -> dict[str, Any]:
    check_site_id(site_id)
    record = sandbox.site(site_id)
    if record is None:
        raise RcraError("E_SiteIdNotFound", "Site with the provided Site ID is not found", 404)
    return site_json(record, sandbox.esign(site_id))


@get("/site-exists/{site_id:str}", sync_to_thread=False)
def site_exists(sandbox: SandboxState, site_id: str) -> dict[str, Any]:
    exists = is_epa_id(site_id) and sandbox.site(site_id) is not None
    return {"epaSiteId": site_id, "result": exists}


@post("/site-search", status_code=OK)
async def site_search(sandbox: SandboxState, request: Request[Any, Any, Any]) -> dict[str, Any]:
    body = await json_object(request)
    try:
        criteria = msgspec.convert(body, SiteSearch)
    except msgspec.ValidationError as error:
        raise RcraError("E_SystemError", f"Invalid site search criteria: {error}") from None
    with sandbox.lock:
        records = list(sandbox.sites.values())
    page = search_sites(records, criteria, sandbox.settings.page_size)
    return {
        "totalNumberOfSites": page.total,
        "totalNumberOfPages": page.pages,
        "currentPageNumber": page.page,
        "searchedParameters": page.searched,
        "warnings": page.warnings,
        "sites": [
            site_json(record, sandbox.esign(record.epa_id), details=False) for record in page.sites
        ],
    }


@post("/user/user-search", status_code=OK)
async def user_search(
    sandbox: SandboxState, user: RcraUser, request: Request[Any, Any, Any]
) -> dict[str, Any]:
    return search_users(sandbox, user, await json_object(request))


ROUTES = [site_details, site_exists, site_search, user_search]
