"""Brand isolation, proven route by route: every HTTP operation, every kind of caller, the
caller's own brand and another brand, against the one declarative table in isolation_table.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.core.isolation_table import ROWS, Row
from tests.core.isolation_world import CALLERS, Caller, Target, World
from vitrina.api.access_map import operations
from vitrina.core.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Several hundred calls from one address: the rate limits are not what is tested here.
    return settings.model_copy(
        update={"login_rate_per_minute": 100_000, "public_write_rate_per_minute": 100_000}
    )


def test_every_operation_has_a_row(app: FastAPI) -> None:
    ops = {(method, path) for method, path, _ in operations(app)}
    missing = sorted(ops - ROWS.keys())
    stale = sorted(ROWS.keys() - ops)
    assert not missing, f"operations without a row in isolation_table.ROWS: {missing}"
    assert not stale, f"rows for operations that no longer exist: {stale}"


def _expected(row: Row, caller: str, target: Target) -> frozenset[int]:
    if caller not in row.who:
        return frozenset({401}) if caller == "anonymous" else frozenset({403, 404})
    crosses = caller == "superadmin" and row.superadmin_crosses
    if target == "other" and row.scoped and not crosses:
        return row.refused
    return row.ok


def _describe(method: str, path: str, caller: str, target: Target, resp: Response) -> str:
    return f"{method} {path} as {caller} on {target} brand: {resp.status_code} {resp.text[:160]}"


# Several thousand calls on two shared cores: more than the suite's default 300 s.
@pytest.mark.timeout(1200)
async def test_every_operation_answers_each_caller_as_the_table_says(
    app: FastAPI, client: AsyncClient
) -> None:
    world = World(app, client)
    await world.build()
    paths = app.openapi()["paths"]
    wrong: list[str] = []
    undocumented: set[str] = set()
    for (method, path), row in ROWS.items():
        for caller in CALLERS:
            for target in ("own", "other"):
                if target == "other" and not row.scoped:
                    continue
                who: Caller = await world.caller(caller)
                call = await row.build(world, who, target)
                resp = await world.request(method, call, who.headers)
                if resp.status_code not in _expected(row, caller, target):
                    wrong.append(_describe(method, path, caller, target, resp))
                elif resp.status_code >= 400 and method != "HEAD":
                    assert resp.headers["content-type"].startswith("application/problem+json")
                # Pages and scripts (/, /store/..., /widget.js) are not API operations.
                documented = paths.get(path, {}).get(method.lower(), {}).get("responses")
                if documented is not None and str(resp.status_code) not in documented:
                    undocumented.add(f"{method} {path} answered {resp.status_code}")
    assert not wrong, "\n".join([f"{len(wrong)} answers differ from the table:", *wrong])
    assert not undocumented, "OpenAPI misses: " + "; ".join(sorted(undocumented))
