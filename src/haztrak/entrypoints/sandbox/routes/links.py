"""EPA's UI-link service (`POST v1/links/emanifest`): a thin handler over `links`."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, post

from haztrak.entrypoints.sandbox.links import LinkRefused, ui_link
from haztrak.entrypoints.sandbox.routes.common import json_body
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.sandbox.users import RcraUser

OK = 200
BAD_REQUEST = 400


@post("/links/emanifest", status_code=OK)
async def emanifest_link(
    sandbox: SandboxState, user: RcraUser, request: Request[Any, Any, Any]
) -> Response[Any]:
    origin = str(request.base_url).rstrip("/")
    try:
        url = ui_link(sandbox, user, await json_body(request), origin)
    except LinkRefused as refused:
        return Response({"errors": [refused.entry]}, status_code=BAD_REQUEST)
    # EPA answers the address as a JSON string
    return Response(json.dumps(url).encode(), status_code=OK, media_type="application/json")


ROUTES = [emanifest_link]
