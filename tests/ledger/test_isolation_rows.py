"""The ledger's rows of the isolation table, answered route by route (the whole table runs
in tests/core/test_brand_isolation.py; this runs the ledger's alone)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.core.isolation_table import ROWS
from tests.core.isolation_world import CALLERS, Caller, World
from tests.core.test_brand_isolation import _describe, _expected
from vitrina.core.config import Settings

LEDGER_ROWS = {key: row for key, row in ROWS.items() if key[1].startswith("/api/ledger/")}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"login_rate_per_minute": 100_000, "public_write_rate_per_minute": 100_000}
    )


async def test_ledger_operations_answer_each_caller_as_the_table_says(
    app: FastAPI, client: AsyncClient
) -> None:
    assert len(LEDGER_ROWS) == 8
    world = World(app, client)
    await world.build()
    wrong: list[str] = []
    for (method, path), row in LEDGER_ROWS.items():
        for caller in CALLERS:
            for target in ("own", "other"):
                if target == "other" and not row.scoped:
                    continue
                who: Caller = await world.caller(caller)
                call = await row.build(world, who, target)
                resp = await world.request(method, call, who.headers)
                if resp.status_code not in _expected(row, caller, target):
                    wrong.append(_describe(method, path, caller, target, resp))
                elif resp.status_code >= 400:
                    assert resp.headers["content-type"].startswith("application/problem+json")
    assert not wrong, "\n".join([f"{len(wrong)} answers differ from the table:", *wrong])
