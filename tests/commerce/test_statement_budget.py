"""A checkout's SQL statements, counted step by step, so that they cannot grow back
unnoticed (docs/benchmarks.md: about 107 per checkout before they were cut).

Only the statements of this test's own requests are counted (a context variable that the
app's background loops, started before it was set, do not see). The sandbox's webhook is
held back (a long delivery delay) and delivered here, so its transaction is counted too.
"""

from __future__ import annotations

import contextvars
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import (
    SHOP,
    WALLBOX_DEFAULTS,
    card,
    checkout,
    guest,
    key,
    ok,
    open_shop,
    settle,
)
from vitrina.commerce.models import SandboxEvent
from vitrina.core.config import Settings
from vitrina.core.db import utcnow
from vitrina.services import services_of

# The most statements each step may take (SQLite and PostgreSQL alike).
BUDGET = {"cart": 8, "item": 17, "checkout": 25, "confirm": 11, "paid": 18}

_BUCKET: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "statements", default=None
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"commerce_sandbox_webhook_delay_s": 120.0})


async def _counted(step: str, counts: dict[str, int], run: Any) -> Any:
    bucket: list[str] = []
    token = _BUCKET.set(bucket)
    try:
        result = await run
    finally:
        _BUCKET.reset(token)
    counts[step] = len(bucket)
    return result


async def test_a_checkout_stays_within_its_statement_budget(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    engine = services_of(app).engine

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        bucket = _BUCKET.get()
        if bucket is not None:
            bucket.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with guest(app) as c:
            counts: dict[str, int] = {}
            for _ in range(2):  # the first one also creates the stock row and data keys
                counts = {}
                item = {"product": "aurora-wallbox", "option_ids": WALLBOX_DEFAULTS}
                cart = await ok(
                    await _counted("cart", counts, c.post(f"{SHOP}/carts", headers=key())), 201
                )
                await ok(
                    await _counted(
                        "item",
                        counts,
                        c.post(f"{SHOP}/carts/{cart['id']}/items", json=item, headers=key()),
                    )
                )
                placed = await ok(await _counted("checkout", counts, checkout(c, cart["id"])), 201)
                order, payment = placed["order"]["id"], placed["payment"]["id"]
                confirm = f"{SHOP}/orders/{order}/payments/{payment}/confirm"
                await ok(
                    await _counted("confirm", counts, c.post(confirm, json=card(), headers=key()))
                )
                # The held-back webhook is due now; deliver it here.
                await db.execute(update(SandboxEvent).values(due_at=utcnow()))
                await db.commit()
                assert await _counted("paid", counts, settle(app)) == 1
                assert (await ok(await c.get(f"{SHOP}/orders/{order}")))["status"] == "paid"
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    over = {step: n for step, n in counts.items() if n > BUDGET[step]}
    assert not over, f"statements per step {counts}, budget {BUDGET}"
    print(f"statements per checkout step: {counts}, {sum(counts.values())} in all")
