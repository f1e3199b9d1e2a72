"""Refuses requests that carry the NUL character (U+0000) in their text, query or path.

PostgreSQL text cannot hold NUL: a name or message containing one would fail at the
database, after validation, as a 500 (SQLite would store it, so the two backends would
disagree). No user types NUL, so it is refused up front for every route alike.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vitrina.api.middleware import send_problem
from vitrina.core.errors import ErrorCode

DETAIL = "Text may not contain the NUL character (U+0000)."
# "\u0000" escaped in JSON, preceded by an even number of backslashes (so that the text
# "\\u0000", an escaped backslash followed by "u0000", is not mistaken for it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_json_nul(data: bytes) -> bool:
    """Whether JSON text escapes a NUL character somewhere (JSON cannot hold a raw one)."""
    return _JSON_NUL.search(data) is not None


def _text_kind(scope: Scope) -> str | None:
    """Which text a body carries: "json", "text" (CSV and JSON imports) or None (binary)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = bytes(value).split(b";", 1)[0].strip().lower()
            if media == b"application/json" or media.endswith(b"+json"):
                return "json"
            if media.startswith(b"text/"):
                return "text"
            return None
    return None


class RefuseNulMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await send_problem(send, 422, DETAIL, code=ErrorCode.VALIDATION)
            return
        kind = _text_kind(scope)
        if kind is None:  # binary uploads (3D assets) may hold any byte
            await self.app(scope, receive, send)
            return
        # Text bodies are small (the body limit applies before this), so read it whole.
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        # A text body may be JSON sent as text/plain (the CRM import), hence both checks.
        if has_json_nul(body) or (kind == "text" and b"\x00" in body):
            await send_problem(send, 422, DETAIL, code=ErrorCode.VALIDATION)
            return
        await self.app(scope, _replay([body], None, receive), send)


def _replay(bodies: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then whatever comes next."""
    queue: list[Message] = [{"type": "http.request", "body": b, "more_body": False} for b in bodies]
    if pending is not None:
        queue.append(pending)

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed
