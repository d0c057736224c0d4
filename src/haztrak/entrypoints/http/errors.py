"""How errors become HTTP answers: one table, so controllers never catch anything."""

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
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from haztrak.application.errors import AuthenticationFailed, RateLimited
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.entrypoints.http.problems import FieldProblem, litestar_field_problems, problem

log = logging.getLogger("haztrak.http")

ExceptionHandler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def _not_found(_: Request[Any, Any, Any], exc: NotFound) -> Response[Any]:
    return problem(404, "Not found", str(exc))


def _forbidden(_: Request[Any, Any, Any], exc: Forbidden) -> Response[Any]:
    return problem(403, "Forbidden", str(exc))


def _conflict(_: Request[Any, Any, Any], exc: Conflict) -> Response[Any]:
    return problem(409, "Conflict", str(exc))


def _invalid(_: Request[Any, Any, Any], exc: InvalidValue) -> Response[Any]:
    return problem(
        422,
        "Invalid input",
        f"{exc.field} {exc.message}",
        [FieldProblem(field=exc.field, message=exc.message)],
    )


def _unauthenticated(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    detail = str(exc) if isinstance(exc, AuthenticationFailed) else "log in first"
    if isinstance(exc, NotAuthorizedException):
        detail = exc.detail
    return problem(401, "Not authenticated", detail, headers={"WWW-Authenticate": "Bearer"})


def _permission_denied(_: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    return problem(403, "Forbidden", exc.detail)


def _rate_limited(_: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    return problem(
        429, "Too many requests", str(exc), headers={"Retry-After": str(exc.retry_after)}
    )


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = litestar_field_problems(exc.extra)
    if not errors:
        return problem(400, "Bad request", exc.detail)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem(422, "Invalid input", detail, errors)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return problem(
        exc.status_code,
        _title(exc.status_code),
        exc.detail,
        headers=dict(exc.headers) if exc.headers else None,
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        "something went wrong on our side; it has been logged",
    )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS: dict[type[Exception], ExceptionHandler] = {
    NotFound: _not_found,
    Forbidden: _forbidden,
    Conflict: _conflict,
    InvalidValue: _invalid,
    AuthenticationFailed: _unauthenticated,
    NotAuthorizedException: _unauthenticated,
    PermissionDeniedException: _permission_denied,
    RateLimited: _rate_limited,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
