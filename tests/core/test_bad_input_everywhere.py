"""Every operation answers bad input with problem+json 4xx, never a 500.

Walks the OpenAPI description, so each new endpoint is covered the day it is added.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import staff_headers

ALL_STAFF_ROLES = ["admin", "supervisor", "agent", "dpo"]
BAD_BODIES: list[tuple[str, bytes]] = [
    ("truncated JSON", b'{"a": '),
    ("wrong top-level type", b"[1, 2, 3]"),
    ("unknown field only", b'{"surely_not_a_field": true}'),
    ("not UTF-8", b'{"x": "\xff\xfe"}'),
]


def _fill_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "does-not-exist", path)


def _json_body_operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    ops = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                ops.append((method.upper(), path))
    return ops


def _check(resp: Any, what: str) -> None:
    assert 400 <= resp.status_code < 500, f"{what} → {resp.status_code}: {resp.text[:300]}"
    assert resp.headers["content-type"].startswith("application/problem+json"), what
    assert resp.json()["code"], what


async def test_malformed_bodies_get_problem_json(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    headers = await staff_headers(client, db, roles=ALL_STAFF_ROLES)
    ops = _json_body_operations(app.openapi())
    assert len(ops) >= 5
    for method, path in ops:
        for label, body in BAD_BODIES:
            resp = await client.request(
                method,
                _fill_path(path),
                content=body,
                headers={**headers, "content-type": "application/json"},
            )
            _check(resp, f"{method} {path} with {label}")


async def test_unknown_ids_get_problem_json(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    headers = await staff_headers(client, db, roles=ALL_STAFF_ROLES)
    checked = 0
    for path, methods in app.openapi()["paths"].items():
        if "{" not in path or "get" not in methods:
            continue
        resp = await client.get(_fill_path(path), headers=headers)
        if resp.status_code == 200:
            continue  # e.g. a public page that renders for any slug
        _check(resp, f"GET {path}")
        checked += 1
    assert checked >= 3


def _placeholder(schema: dict[str, Any]) -> str:
    """A well-formed value for a required query parameter that is not the one under test."""
    kinds = [schema, *schema.get("anyOf", [])]
    if any(k.get("format") == "date-time" for k in kinds):
        return "2030-01-07T10:00:00+01:00"
    if any(k.get("format") == "date" for k in kinds):
        return "2030-01-07"
    return "aurora-motors"


async def test_numbers_too_large_for_the_database_get_problem_json(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    """A 30-digit offset or limit is refused up front, not overflowed in the driver."""
    headers = await staff_headers(client, db, roles=ALL_STAFF_ROLES)
    checked = 0
    for path, methods in app.openapi()["paths"].items():
        for method, op in methods.items():
            query = [p for p in op.get("parameters", []) if p["in"] == "query"]
            for param in query:
                kinds = [param["schema"], *param["schema"].get("anyOf", [])]
                if not any(k.get("type") == "integer" for k in kinds):
                    continue
                params = {
                    p["name"]: _placeholder(p["schema"])
                    for p in query
                    if p.get("required") and p is not param
                }
                params[param["name"]] = str(10**30)
                resp = await client.request(
                    method.upper(), _fill_path(path), params=params, headers=headers
                )
                _check(resp, f"{method.upper()} {path}?{param['name']}=10**30")
                checked += 1
    assert checked >= 8
