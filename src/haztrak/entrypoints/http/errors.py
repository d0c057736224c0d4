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
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from haztrak.application.errors import AuthenticationFailed, RateLimited, ServiceUnavailable
from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.ports.rcrainfo import RcrainfoError
from haztrak.application.ports.tasks import QueueUnavailable
from haztrak.application.tasks.errors import TaskFailed, TaskStillRunning
from haztrak.application.tasks.run import problem_for
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.manifest import ManifestShapeError
from haztrak.domain.tasks import TaskProblem
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


def _manifest_shape(_: Request[Any, Any, Any], exc: ManifestShapeError) -> Response[Any]:
    errors = [FieldProblem(field=p.field, message=p.message) for p in exc.problems]
    return problem(422, "Invalid manifest", str(exc), errors)


def _precondition_failed(_: Request[Any, Any, Any], exc: PreconditionFailed) -> Response[Any]:
    return problem(412, "Precondition failed", str(exc))


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


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    aliases = _query_names(request)
    errors = [
        FieldProblem(field=aliases.get(e.field, e.field), message=e.message)
        for e in litestar_field_problems(exc.extra)
    ]
    if not errors:
        return problem(400, "Bad request", exc.detail)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem(422, "Invalid input", detail, errors)


def _query_names(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Litestar names a parameter as the handler does (`site_name`); the client knows it by
    its name in the query (`siteName`)."""
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    if signature is None:
        return {}
    names = {}
    for name, parameter in signature.parameters.items():
        kwarg = parameter.kwarg_definition
        if isinstance(kwarg, QueryParameter) and kwarg.name:
            names[name] = kwarg.name
    return names


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


_TASK_PROBLEM_STATUS = {
    "validation": 422,
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "unauthorized": 502,  # RCRAInfo refused an org's credentials: not the caller's login
    "locked": 409,
    "conflict": 409,
    "transient": 503,
    "internal": 500,
}


def _task_problem(task_problem: TaskProblem) -> Response[Any]:
    status = _TASK_PROBLEM_STATUS.get(task_problem.kind, 502)
    return problem(
        status,
        task_problem.title,
        task_problem.detail,
        [FieldProblem(field=e.field, message=e.message) for e in task_problem.errors],
        headers={"Retry-After": "30"} if status == 503 else None,
    )


def _task_failed(_: Request[Any, Any, Any], exc: TaskFailed) -> Response[Any]:
    return _task_problem(exc.problem)


def _rcrainfo(_: Request[Any, Any, Any], exc: RcrainfoError) -> Response[Any]:
    return _task_problem(problem_for(exc))


def _task_still_running(_: Request[Any, Any, Any], exc: TaskStillRunning) -> Response[Any]:
    return Response(
        {"taskId": str(exc.task_id)},
        status_code=202,
        headers={"Location": f"/api/task/{exc.task_id}"},
    )


def _queue_unavailable(_: Request[Any, Any, Any], exc: QueueUnavailable) -> Response[Any]:
    return problem(503, "Service unavailable", str(exc), headers={"Retry-After": "5"})


def _service_unavailable(_: Request[Any, Any, Any], exc: ServiceUnavailable) -> Response[Any]:
    return problem(503, "Service unavailable", str(exc), headers={"Retry-After": "5"})


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
    ManifestShapeError: _manifest_shape,
    PreconditionFailed: _precondition_failed,
    TaskFailed: _task_failed,
    TaskStillRunning: _task_still_running,
    RcrainfoError: _rcrainfo,
    QueueUnavailable: _queue_unavailable,
    ServiceUnavailable: _service_unavailable,
    AuthenticationFailed: _unauthenticated,
    NotAuthorizedException: _unauthenticated,
    PermissionDeniedException: _permission_denied,
    RateLimited: _rate_limited,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
