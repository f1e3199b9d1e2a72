"""Interest signals sent over the world socket pass the same consent gate as the batch API.

A real uvicorn server carries the app's world socket; every `interest` frame is followed
by a `ping`, whose `pong` proves the frame before it has been gated and stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.privacy.conftest import ALL_OPTIONAL
from tests.world.conftest import Client, free_port, open_client
from vitrina.brands.models import Brand
from vitrina.core.db import Base
from vitrina.insights.models import DwellAggregate, InteractionEvent

SLUG = "aurora-motors"
RAY = {"origin": [0.0, 1.6, 0.0], "direction": [0.0, 0.0, 1.0]}

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("vitrina_signals_rejected_total", {"reason": reason}) or 0.0


async def count(db: AsyncSession, model: type[Base]) -> int:
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


def sample(kind: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": kind,
        "product": "aurora-e",
        "part": "seat",
        "at": int(time.time() * 1000),
    }
    if kind in ("dwell", "gaze"):
        out["duration_ms"] = 1500 if kind == "dwell" else 100
    return out | extra


@contextlib.asynccontextmanager
async def world(app: FastAPI) -> AsyncIterator[str]:
    """The app (already started by its fixture) served on loopback for real sockets."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


class Visitor:
    def __init__(self, http: AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def consent(self, choices: dict[str, bool]) -> None:
        resp = await self.http.put(
            f"/api/privacy/brands/{SLUG}/consents",
            json={"choices": choices, "channel": "storefront_3d"},
        )
        assert resp.status_code == 200, resp.text


@contextlib.asynccontextmanager
async def visitor(app: FastAPI) -> AsyncIterator[Visitor]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        resp = await http.post("/api/auth/guest", json={"display_name": "Mia"})
        assert resp.status_code == 201, resp.text
        http.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
        yield Visitor(http, resp.json()["token"])


async def send_interest(ws: Client, *samples: dict[str, Any]) -> None:
    """Send one interest frame and wait until the server has dealt with it."""
    stamp = time.monotonic_ns()
    await ws.send("interest", s=list(samples))
    await ws.send("ping", ts=stamp)
    await ws.expect("pong", lambda f: f["ts"] == stamp)


async def test_world_signals_are_gated_and_only_dwell_totals_are_kept(
    app: FastAPI, brand: Brand, db: AsyncSession
) -> None:
    async with visitor(app) as guest, world(app) as host:
        await guest.consent(ALL_OPTIONAL | {"gaze_dwell": False, "analytics": False})
        async with open_client(f"ws://{host}/ws/world", extra=f"token={guest.token}") as ws:
            await ws.join(brand=SLUG, zone="entrance")

            before = rejected("no_consent")
            await send_interest(ws, sample("dwell"), sample("gaze", ray=RAY), sample("click"))
            assert rejected("no_consent") == before + 3
            assert await count(db, DwellAggregate) == 0
            assert await count(db, InteractionEvent) == 0

            await guest.consent({"gaze_dwell": True, "analytics": True})
            await send_interest(ws, sample("dwell"), sample("gaze", ray=RAY), sample("click"))
            rows = (await db.execute(select(DwellAggregate))).scalars().all()
            assert [(r.product, r.part, r.total_ms, r.samples) for r in rows] == [
                ("aurora-e", "seat", 1600, 2)
            ]
            # The ray was checked and dropped: no column could hold it.
            assert not {"ray", "origin", "direction"} & set(DwellAggregate.__table__.columns.keys())
            assert await count(db, InteractionEvent) == 1

            # Withdrawal mid-session: the very next frame is dropped.
            await guest.consent({"gaze_dwell": False})
            before = rejected("no_consent")
            await send_interest(ws, sample("dwell"))
            assert rejected("no_consent") == before + 1
            db.expire_all()
            total = (await db.execute(select(func.sum(DwellAggregate.total_ms)))).scalar_one()
            assert total == 1600


async def test_bad_interest_frames_are_refused_without_effect(
    app: FastAPI, brand: Brand, db: AsyncSession
) -> None:
    async with visitor(app) as guest, world(app) as host:
        await guest.consent(ALL_OPTIONAL)
        async with open_client(f"ws://{host}/ws/world", extra=f"token={guest.token}") as ws:
            await ws.send("interest", s=[sample("dwell")])
            assert (await ws.expect("error"))["code"] == "not_in_room"
            await ws.join(brand=SLUG, zone="entrance")

            await ws.send("interest", s=[sample("dwell", subject="guest:someone-else")])
            error = await ws.expect("error")
            assert (error["code"], error["ref"]) == ("bad_frame", "interest")
            await ws.send("interest", s=[])
            assert (await ws.expect("error"))["code"] == "bad_frame"

            out_of_range, forged = rejected("out_of_range"), rejected("forged_timestamp")
            await send_interest(
                ws,
                sample("dwell", duration_ms=-5),
                sample("gaze", ray={"origin": [0, 0, 0], "direction": [3.0, 0, 0]}),
                sample("dwell", at=int(time.time() * 1000) + 3_600_000),
            )
            assert rejected("out_of_range") == out_of_range + 2
            assert rejected("forged_timestamp") == forged + 1
            assert await count(db, DwellAggregate) == 0

            # Ten frames at once is the burst (refilled at 2 per second): a flood of thirty
            # meets the limit however slowly the server works through it.
            for _ in range(30):
                await ws.send("interest", s=[sample("click")])
            error = await ws.expect("error")
            assert (error["code"], error["ref"]) == ("rate_limited", "interest")
