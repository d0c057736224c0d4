"""How errors become pages: the same kinds as the API's table, in words and HTML.

A foreign or unknown object is a 404 page, a refused action a 403 page, a missing sign-in a
redirect to the sign-in page with the way back. Nothing shows a stack trace or raw JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect

from haztrak.application.errors import AuthenticationFailed, RateLimited, ServiceUnavailable
from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.ports.tasks import QueueUnavailable
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.entrypoints.http.problems import litestar_field_problems
from haztrak.entrypoints.web.session import SignInRequired, sign_in_url
from haztrak.entrypoints.web.templating import page

log = logging.getLogger("haztrak.web")

Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def error_page(
    request: Request[Any, Any, Any], status: int, title: str, message: str
) -> Response[Any]:
    return page(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
    )


def _sign_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    next_path = exc.next_path if isinstance(exc, SignInRequired) else request.url.path
    target = sign_in_url(next_path)
    if request.headers.get("hx-request"):  # htmx follows HX-Redirect with a full page load
        return Response(b"", status_code=401, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return error_page(
        request,
        404,
        "Not found",
        "There is nothing here, or it belongs to sites you do not work for.",
    )


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    detail = exc.detail if isinstance(exc, PermissionDeniedException) else str(exc)
    return error_page(request, 403, "Not allowed", detail)


def _conflict(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status = 412 if isinstance(exc, PreconditionFailed) else 409
    return error_page(
        request,
        status,
        "Changed in the meantime",
        f"{exc}. Reload the page to see the latest version, then try again.",
    )


def _invalid(request: Request[Any, Any, Any], exc: InvalidValue) -> Response[Any]:
    return error_page(request, 400, "Check what you entered", f"{exc.field}: {exc.message}")


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    problems = litestar_field_problems(exc.extra)
    text = "; ".join(f"{p.field}: {p.message}" for p in problems) or exc.detail
    return error_page(request, 400, "Check what you entered", text)


def _rate_limited(request: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    return error_page(request, 429, "Too many attempts", str(exc).capitalize() + ".")


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return error_page(
        request,
        503,
        "Try again in a moment",
        "Haztrak cannot reach a service it needs right now. Nothing was lost; try again.",
    )


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 404:
        return _not_found(request, exc)
    return error_page(request, exc.status_code, "Something is not right", exc.detail)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(
        request,
        500,
        "Something went wrong on our side",
        "It has been logged. Nothing you entered was saved twice; try again in a moment.",
    )


def not_found_anywhere(api: Handler) -> Handler:
    """For a path no route knows: a page for a browser off /api, the API's answer otherwise."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        path = request.url.path
        wants_page = "text/html" in request.headers.get("accept", "")
        if wants_page and not path.startswith(("/api/", "/admin")):
            return _not_found(request, exc)
        return api(request, exc)

    return handle


WEB_EXCEPTION_HANDLERS: dict[type[Exception], Handler] = {
    SignInRequired: _sign_in,
    AuthenticationFailed: _sign_in,
    NotAuthorizedException: _sign_in,
    NotFound: _not_found,
    Forbidden: _forbidden,
    PermissionDeniedException: _forbidden,
    Conflict: _conflict,
    InvalidValue: _invalid,
    ValidationException: _validation,
    RateLimited: _rate_limited,
    QueueUnavailable: _unavailable,
    ServiceUnavailable: _unavailable,
    HTTPException: _http,
    Exception: _unexpected,
}
