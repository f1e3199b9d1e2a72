"""The one mapping from exceptions to RFC 9457 problem+json responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from vitrina.api.middleware import route_template
from vitrina.core.errors import PROBLEM_JSON, AppError, ErrorCode, problem

log = structlog.get_logger(__name__)

_STATUS_CODES = {
    400: ErrorCode.VALIDATION,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: "method_not_allowed",
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.UNAVAILABLE,
}


def problem_response(
    status: int,
    detail: str,
    *,
    code: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem(status, detail, code=code, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    cleaned = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        cleaned.append(
            {"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        )
    return cleaned


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = None
    if "retry_after" in exc.data:
        headers = {"Retry-After": str(max(1, int(exc.data["retry_after"] + 0.999)))}
    return problem_response(
        exc.status,
        exc.detail,
        code=str(exc.code),
        instance=request.url.path,
        headers=headers,
        **exc.data,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(exc.errors())
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"])
    return problem_response(
        422,
        f"{where}: {first['msg']}" if where else str(first["msg"]),
        code=ErrorCode.VALIDATION,
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # The router names only the first route whose path matched; a path served by
        # several routes (GET and POST on one collection) allows all of their methods.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(
        exc.status_code, detail, code=str(code), instance=request.url.path, headers=headers
    )


def _allowed_methods(request: Request) -> list[str]:
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for ctx in iter_route_contexts(request.app.routes):
        regex = getattr(ctx.route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(ctx.methods or ())
    return sorted(methods)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Services check for duplicates before writing; a constraint that still fails means
    # another request wrote the same thing in between. The loser gets a conflict, and the
    # constraint is logged in case a check is missing rather than raced.
    assert isinstance(exc, DBAPIError)
    log.warning("integrity_conflict", route=route_template(request.scope), error=_what_failed(exc))
    return problem_response(
        409,
        "This change conflicts with another one made at the same time; reload and try again.",
        code=ErrorCode.CONFLICT,
        instance=request.url.path,
    )


def _what_failed(exc: DBAPIError) -> str:
    """The database's complaint without its details: PostgreSQL's DETAIL line quotes the
    offending values ("Key (email)=(...) already exists"), which are personal data."""
    first_line = str(exc.orig).strip().splitlines()[:1]
    return first_line[0][:300] if first_line else type(exc.orig).__name__


# Serialisation failure, deadlock, lock not available: the transaction may simply be retried.
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def _retryable(exc: DBAPIError) -> bool:
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state in _RETRYABLE_SQLSTATES or "database is locked" in str(orig)


def _unreachable(exc: DBAPIError) -> bool:
    """The connection went away (a database restarting, failing over, shutting down)."""
    orig = exc.orig
    state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    # 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
    return (
        exc.connection_invalidated
        or state.startswith("08")
        or state in {"57P01", "57P02", "57P03"}
        or isinstance(orig, ConnectionError)
        or "connection is closed" in str(orig)
        or "ConnectionDoesNotExist" in type(orig).__name__
    )


def _unavailable(
    request: Request, detail: str = "The database is unavailable for a moment; try again."
) -> JSONResponse:
    return problem_response(
        503,
        detail,
        code=ErrorCode.UNAVAILABLE,
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


async def _connection_error(request: Request, exc: Exception) -> JSONResponse:
    # Opening a connection to a database that is down fails in the driver, before
    # SQLAlchemy has an error of its own to raise (asyncpg: ConnectionRefusedError).
    log.warning(
        "database_unreachable", route=route_template(request.scope), error=type(exc).__name__
    )
    return _unavailable(request)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if _unreachable(exc):
        log.warning(
            "database_unreachable", route=route_template(request.scope), error=_what_failed(exc)
        )
        return _unavailable(request)
    if not _retryable(exc):
        return await _unhandled(request, exc)
    log.warning("database_busy", route=route_template(request.scope), error=_what_failed(exc))
    return _unavailable(request, "The database is busy with other changes; try again in a moment.")


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", route=route_template(request.scope))
    return problem_response(
        500, "An unexpected error occurred; it has been logged.", code=ErrorCode.INTERNAL
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(ConnectionError, _connection_error)
    app.add_exception_handler(Exception, _unhandled)
