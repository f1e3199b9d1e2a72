"""Answers the storefront's cached reads before routing: a hit costs a dictionary lookup
instead of matching some two hundred routes, solving dependencies and opening a database
session. A miss goes to the route, which builds the answer and keeps it (vitrina.core.readcache).

The routes listed here are public and read no query parameters, so the path alone names the
answer; the request log and metrics still name the route's template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from vitrina.core.readcache import CACHE_CONTROL, ReadCache, matches

_SLUG = r"[a-z0-9][a-z0-9-]*"
CACHED_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in [
        (r"/api/brands", "/api/brands"),
        (rf"/api/brands/{_SLUG}", "/api/brands/{slug}"),
        (rf"/api/brands/{_SLUG}/products", "/api/brands/{brand}/products"),
        (rf"/api/brands/{_SLUG}/products/{_SLUG}", "/api/brands/{brand}/products/{product}"),
    ]
)


@dataclass(frozen=True)
class _Template:
    """Stands for the route in the scope, for the request log and metrics."""

    path: str


class CachedReadsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            for pattern, template in CACHED_ROUTES:
                if pattern.fullmatch(path):
                    cache = getattr(scope.get("app"), "components", None)
                    hit = cache.find(ReadCache) if cache is not None else None
                    found = hit.lookup(path) if hit is not None else None
                    if found is not None:
                        scope["route"] = _Template(template)
                        await _answer(scope, send, *found)
                        return
                    break
        await self.app(scope, receive, send)


async def _answer(scope: Scope, send: Send, etag: str, body: bytes) -> None:
    if_none_match = ""
    for name, value in scope.get("headers", ()):
        if name == b"if-none-match":
            if_none_match = bytes(value).decode("latin-1")
            break
    headers = [(b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
    if matches(if_none_match, etag):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
