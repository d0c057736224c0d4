"""The sandbox as a Litestar application."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException

from haztrak.entrypoints.sandbox.errors import RcraError, error_document
from haztrak.entrypoints.sandbox.faults import API_PREFIX, FaultMiddleware
from haztrak.entrypoints.sandbox.routes import control_router, rest_routers
from haztrak.entrypoints.sandbox.routes.common import provide_sandbox, sandbox_of
from haztrak.entrypoints.sandbox.state import SandboxState

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Room for a scanned manifest; RCRAInfo takes large PDFs."""
AnyRequest = Request[Any, Any, Any]


def create_sandbox_app(state: SandboxState | None = None) -> Litestar:
    """The sandbox app over `state`; without one, a freshly seeded state with default settings."""
    if state is None:
        state = SandboxState()
    app = Litestar(
        route_handlers=[*rest_routers(), control_router()],
        dependencies={"sandbox": Provide(provide_sandbox, sync_to_thread=False)},
        middleware=[FaultMiddleware(state.faults, state.connections, state.clock)],
        exception_handlers={
            RcraError: _rcra_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
        logging_config=None,
        debug=False,
    )
    app.state.sandbox = state
    return app


def _rcra_error(request: AnyRequest, error: RcraError) -> Response[Any]:
    now = sandbox_of(request.app.state).now()
    return Response(error_document(error.code, error.message, now), status_code=error.status)


def _http_error(request: AnyRequest, error: HTTPException) -> Response[Any]:
    if not request.url.path.startswith(API_PREFIX):
        return Response({"detail": error.detail}, status_code=error.status_code)
    now = sandbox_of(request.app.state).now()
    message = (
        f"No such service: {request.method} {request.url.path}"
        if error.status_code in (404, 405)
        else str(error.detail)
    )
    return Response(error_document("E_SystemError", message, now), status_code=error.status_code)


def _unexpected_error(request: AnyRequest, error: Exception) -> Response[Any]:
    logger.exception("sandbox failed on %s %s", request.method, request.url.path, exc_info=error)
    now = sandbox_of(request.app.state).now()
    return Response(
        error_document("E_SystemError", f"Unexpected error: {type(error).__name__}", now),
        status_code=500,
    )
