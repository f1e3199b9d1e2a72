"""Serves the built web client from the package (src/vitrina/web/dist)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse, Response

from vitrina.api.deps import PUBLIC

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])

_NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Vitrina</title>
<body><h1>Vitrina</h1><p>The web client is not built. Run <code>make install</code>.</p>
<p>API documentation: <a href="/docs">/docs</a></p></body></html>"""


def _index() -> Response:
    index = DIST / "index.html"
    if not index.is_file():
        return HTMLResponse(_NOT_BUILT)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


@router.get("/")
async def root() -> Response:
    return _index()


# Client-side routes of the single-page app all load the same entry page.
@router.get("/store/{slug}")
async def storefront(slug: str) -> Response:
    return _index()


@router.get("/console")
async def console() -> Response:
    # The agent console is its own page (client/console.html).
    page = DIST / "console.html"
    if not page.is_file():
        return _index()
    return FileResponse(page, headers={"Cache-Control": "no-cache"})
