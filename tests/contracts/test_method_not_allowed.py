"""405 answers name, in `Allow`, the methods the path really has, on every path of the app."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from httpx import AsyncClient

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# A value that fits every path parameter's pattern (slugs, ids, hashes, numbers).
_SAMPLE = "1"


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", _SAMPLE, template)


def _documented_methods(spec: dict, path: str) -> set[str]:  # type: ignore[type-arg]
    """The methods the OpenAPI description lists for every template that `path` fits."""
    methods: set[str] = set()
    for template, operations in spec["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {m.upper() for m in operations if m.upper() in _METHODS}
    return methods


async def test_every_405_lists_the_methods_the_path_has(app: FastAPI, client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = {
        _concrete(str(ctx.path))
        for ctx in iter_route_contexts(app.routes)
        if ctx.methods and str(ctx.path) in spec["paths"]
    }
    assert len(paths) > 100
    wrong: list[str] = []
    checked = 0
    for path in sorted(paths):
        allowed = _documented_methods(spec, path)
        for method in sorted(set(_METHODS) - allowed):
            resp = await client.request(method, path)
            checked += 1
            problem = resp.status_code == 405 and (
                method == "HEAD"  # no body, by definition
                or (
                    resp.headers["content-type"] == "application/problem+json"
                    and resp.json()["code"] == "method_not_allowed"
                )
            )
            if not problem or resp.headers.get("allow") != ", ".join(sorted(allowed)):
                wrong.append(
                    f"{method} {path}: {resp.status_code} Allow={resp.headers.get('allow')}"
                    f" (documented: {', '.join(sorted(allowed))})"
                )
    assert checked > 300
    assert not wrong, "\n".join(wrong)
