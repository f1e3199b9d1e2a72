"""ASGI middleware: body size limit, security headers, request metrics."""

from __future__ import annotations

import json
import re
import secrets
import time

import structlog
from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitrina.core.errors import PROBLEM_JSON, ErrorCode, problem

log = structlog.get_logger("vitrina.http")
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# A request id a proxy or client sends is kept when it is a plain token; anything else is
# replaced, so the header cannot smuggle text into the logs.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = bytes(value).decode("latin-1")
            if _REQUEST_ID.fullmatch(candidate):
                return candidate
    return secrets.token_hex(8)


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (`/rate/{token}`), or `unmatched`."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


HTTP_REQUESTS = Counter(
    "vitrina_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "vitrina_http_request_seconds", "HTTP request latency", ["method", "route"]
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Swagger UI loads its bundle from a CDN; the docs pages get a policy of their own.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "frame-ancestors 'none'"
)


class _BodyTooLarge(HTTPException):
    """Raised from `receive`; an HTTPException so that the app's handlers answer 413
    instead of treating it as a body that failed to parse."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body exceeds the limit of {limit} bytes.")


class BodyLimitMiddleware:
    """Rejects request bodies above the limit with 413 before any handler reads them.

    `upload_paths` (regular expressions on the path) get `upload_max_bytes` instead: file
    uploads need more room than JSON, and the limit must hold before routing.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        upload_paths: tuple[str, ...] = (),
        upload_max_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_paths = tuple(re.compile(p) for p in upload_paths)
        self.upload_max_bytes = upload_max_bytes or max_bytes

    def _limit_for(self, path: str) -> int:
        if any(p.fullmatch(path) for p in self.upload_paths):
            return self.upload_max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await self._reject(send, limit)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._reject(send, limit)

    async def _reject(self, send: Send, limit: int) -> None:
        await send_problem(
            send,
            413,
            f"Request body exceeds the limit of {limit} bytes.",
            code=ErrorCode.PAYLOAD_TOO_LARGE,
        )


async def send_problem(send: Send, status: int, detail: str, *, code: str) -> None:
    """Answer with problem+json from a middleware, before any route runs."""
    body = json.dumps(problem(status, detail, code=code)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Adds the security headers every response carries, and records request metrics and logs."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path in ("/docs", "/redoc") else CONTENT_SECURITY_POLICY
        started = time.perf_counter()
        status: int | None = None
        request_id = _request_id(scope)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-request-id", request_id.encode()),
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                    (b"x-frame-options", b"DENY"),
                    (
                        b"permissions-policy",
                        b"camera=(), geolocation=(), microphone=(self), xr-spatial-tracking=(self)",
                    ),
                ]
                if self.hsts:
                    headers.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                message["headers"] = headers
                route_path = route_template(scope)
                HTTP_REQUESTS.labels(scope["method"], route_path, str(message["status"])).inc()
                HTTP_LATENCY.labels(scope["method"], route_path).observe(
                    time.perf_counter() - started
                )
            await send(message)

        # Every line logged while the request is handled carries its id.
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await self.app(scope, receive, send_with_headers)
        if status is not None and path not in _QUIET_PATHS:
            # The route's template, never the path or its query string: paths carry rating
            # tokens (/rate/{token}) and subjects (e-mail or wallet addresses), queries
            # carry session tokens.
            log.info(
                "request",
                method=scope["method"],
                route=route_template(scope),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
                request_id=request_id,
            )
