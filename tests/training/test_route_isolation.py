"""The training routes' rows of the isolation table, walked on their own: every caller, own
brand and other brand (the whole table is walked by tests/core/test_brand_isolation.py)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.core.isolation_table import ROWS
from tests.core.isolation_world import CALLERS, World
from tests.core.test_brand_isolation import _describe, _expected
from vitrina.core.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"login_rate_per_minute": 100_000, "public_write_rate_per_minute": 100_000}
    )


@pytest.mark.timeout(600)
async def test_training_routes_answer_each_caller_as_the_table_says(
    app: FastAPI, client: AsyncClient
) -> None:
    world = World(app, client)
    await world.build()
    rows = {k: v for k, v in ROWS.items() if k[1].startswith("/api/training/")}
    assert len(rows) == 16
    wrong: list[str] = []
    for (method, path), row in rows.items():
        for caller in CALLERS:
            for target in ("own", "other"):
                if target == "other" and not row.scoped:
                    continue
                who = await world.caller(caller)
                call = await row.build(world, who, target)
                resp = await world.request(method, call, who.headers)
                if resp.status_code not in _expected(row, caller, target):
                    wrong.append(_describe(method, path, caller, target, resp))
    assert not wrong, "\n".join([f"{len(wrong)} answers differ from the table:", *wrong])
