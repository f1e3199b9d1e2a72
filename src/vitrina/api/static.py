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


# The brand-neutral mark browsers ask for on every page (a shop window: a frame and a
# pane). SVG, which current browsers accept at /favicon.ico too, so no binary is kept.
_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect x="2" y="4" width="28" height="24" rx="4" fill="#1f3a5f"/>'
    '<rect x="6" y="8" width="20" height="16" rx="2" fill="#8ec5ff"/>'
    '<path d="M6 20 L14 12 L20 18 L26 12 V22 a2 2 0 0 1 -2 2 H8 a2 2 0 0 1 -2 -2 Z" '
    'fill="#e9f4ff"/></svg>'
)


@router.get("/favicon.ico")
@router.get("/favicon.svg")
async def favicon() -> Response:
    return Response(
        _ICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
