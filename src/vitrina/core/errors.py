"""Errors carry a code; one place maps them to RFC 9457 problem+json."""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"


class ErrorCode(StrEnum):
    """Codes shared by every domain; domains add their own StrEnum of codes."""

    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    BRAND_FORBIDDEN = "brand_forbidden"
    CSRF = "csrf_failed"
    RATE_LIMITED = "rate_limited"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INTERNAL = "internal_error"
    UNAVAILABLE = "unavailable"


class AppError(Exception):
    """An error the caller can act on. `status` maps to HTTP; `code` is stable for clients."""

    status: int = 400
    code: str = ErrorCode.VALIDATION

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        **data: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.data = data

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase


class NotFound(AppError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Conflict(AppError):
    status = 409
    code = ErrorCode.CONFLICT


class Unauthenticated(AppError):
    status = 401
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(AppError):
    status = 403
    code = ErrorCode.FORBIDDEN


class RateLimited(AppError):
    status = 429
    code = ErrorCode.RATE_LIMITED


class Unavailable(AppError):
    status = 503
    code = ErrorCode.UNAVAILABLE


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    title: str | None = None,
    instance: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://vitrina.dev/problems/{code.replace('_', '-')}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body
