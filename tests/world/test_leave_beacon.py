"""Leaving from a closing page: the beacon with the resume token removes the avatar at
once, where a lost `leave` frame would have kept it for the resume grace period, and so
does the browser's own close (1001) of a page that never got to run its handler."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import BRAND, make_brands, serve
from tests.world.conftest import Node, open_client


async def _guest_token(client: AsyncClient, name: str) -> str:
    made = await client.post("/api/auth/guest", json={"display_name": name, "brand_slug": BRAND})
    assert made.status_code == 201, made.text
    client.cookies.clear()  # each visitor is a browser of its own
    return str(made.json()["token"])


async def test_the_beacon_of_a_closing_page_removes_its_avatar_at_once(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    await make_brands(db)
    stays, goes = await _guest_token(client, "Stays"), await _guest_token(client, "Goes")
    async with (
        serve(app) as host,
        open_client(f"ws://{host}/ws/world", extra=f"token={stays}") as watcher,
    ):
        await watcher.join(brand=BRAND, zone="entrance")
        async with open_client(f"ws://{host}/ws/world", extra=f"token={goes}") as leaver:
            await leaver.join(brand=BRAND, zone="entrance")
            await watcher.expect("enter")
            token = leaver.token
        # The socket ended without `leave`: the avatar would wait 30 s for a resume.
        left = await client.post("/api/world/leave", json={"token": token})
        assert left.status_code == 204, left.text
        exit_frame = await watcher.expect("exit")
        assert (exit_frame["id"], exit_frame["why"]) == (leaver.id, "left")

        # The token is spent: nothing left to remove, and nothing else is touched.
        again = await client.post("/api/world/leave", json={"token": token})
        assert again.status_code == 404
        assert again.headers["content-type"].startswith("application/problem+json")
        forged = await client.post("/api/world/leave", json={"token": f"{token[:-2]}xx"})
        assert forged.status_code == 404
        await watcher.send("ping", ts=1)
        await watcher.expect("pong")
        assert [f["id"] for f in watcher.frames if f["t"] == "exit"] == [leaver.id]


async def test_a_malformed_beacon_is_refused_with_a_problem(client: AsyncClient) -> None:
    for body in ({}, {"token": ""}, {"token": "x" * 129}, {"token": "a", "more": 1}):
        refused = await client.post("/api/world/leave", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_page_that_went_away_without_its_leave_is_removed_at_once(node: Node) -> None:
    async with open_client(node.url, sid="stays") as watcher:
        await watcher.join()
        async with open_client(node.url, sid="goes") as page:
            await page.join()
            await watcher.expect("enter")
            token = page.token
            # What a browser sends by itself for a page that closed without its `leave`.
            await page.ws.close(code=1001)
        exit_frame = await watcher.expect("exit")
        assert (exit_frame["id"], exit_frame["why"]) == (page.id, "left")
        async with open_client(node.url, sid="goes") as again:
            await again.send("resume", token=token)
            assert (await again.expect("error"))["code"] == "resume_failed"


async def test_a_dropped_connection_still_waits_for_its_resume(node: Node) -> None:
    """No close frame at all (the network went): the avatar waits for the grace period."""
    async with open_client(node.url, sid="stays") as watcher:
        await watcher.join()
        async with open_client(node.url, sid="drops") as page:
            await page.join()
            await watcher.expect("enter")
            page.ws.transport.abort()
        async with open_client(node.url, sid="drops") as back:
            await back.send("resume", token=page.token)
            assert (await back.expect("welcome"))["id"] == page.id
        await watcher.send("ping", ts=1)
        await watcher.expect("pong")
        assert not [f for f in watcher.frames if f["t"] == "exit"]
