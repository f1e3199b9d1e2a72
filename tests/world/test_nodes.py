"""Several server nodes sharing rooms through the broker.

The in-process variant runs two nodes in this process on one InProcessBroker; the
Redis variant starts two real uvicorn processes on a real Redis (`make test` provides
VITRINA_TEST_REDIS_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.world.conftest import Client, free_port, make_settings, open_client, run_node
from vitrina.core.broker import InProcessBroker
from vitrina.world.avatar import Avatar
from vitrina.world.protocol import Look

REDIS_URL = os.environ.get("VITRINA_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="VITRINA_TEST_REDIS_URL is not set (make test starts Redis)"
)


async def _exercise_two_nodes(url_a: str, url_b: str) -> tuple[Client, Client]:
    async with (
        open_client(url_a, sid="a", name="OnA") as a,
        open_client(url_b, sid="b", name="OnB") as b,
    ):
        await a.join(zone="lounge")
        await b.join(zone="lounge")
        # Presence crosses nodes both ways (b learns of a through its roster request).
        enter = await a.expect("enter", lambda f: any(p["name"] == "OnB" for p in f["who"]))
        assert enter["who"][0]["id"] == b.id
        if all(p["id"] != a.id for p in b.frames[0]["who"]):  # roster may beat the welcome
            await b.expect("enter", lambda f: any(p["id"] == a.id for p in f["who"]))
        # Moves cross nodes.
        await a.send("ping", ts=0)
        await a.expect("pong")
        me = next(p for p in (a.frames[0]["who"]) if p["id"] == a.id)["s"]
        await a.send("move", p=[me[1] / 100 + 0.4, 0.0, me[3] / 100], ts=777)
        snap = await b.expect("snap", lambda f: any(e[0] == a.id and e[5] == 777 for e in f["u"]))
        assert next(e for e in snap["u"] if e[0] == a.id)[1] == me[1] + 40
        # Chat and emotes cross nodes.
        await b.send("chat", text="hello from B")
        line = await a.expect("chat")
        assert (line["id"], line["name"], line["text"]) == (b.id, "OnB", "hello from B")
        await a.send("emote", name="wave")
        assert (await b.expect("emote"))["id"] == a.id
        await b.send("leave")
        assert (await a.expect("exit"))["id"] == b.id
        return a, b


async def test_two_nodes_share_a_room_in_process(tmp_path: Path) -> None:
    broker = InProcessBroker()
    await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            run_node(make_settings(tmp_path / "b"), broker) as nb,
        ):
            await _exercise_two_nodes(na.url, nb.url)
    finally:
        await broker.close()


@contextlib.contextmanager
def _server_process(tmp_path: Path, name: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        "VITRINA_REDIS_URL": str(REDIS_URL),
        "VITRINA_DATA_DIR": str(tmp_path / name),
        "VITRINA_ENVIRONMENT": "test",
        "VITRINA_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    log_path = tmp_path / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "vitrina.world.standalone:app_factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=log,
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    try:
        yield f"ws://127.0.0.1:{port}/ws/world", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _wait_listening(url: str, proc: subprocess.Popen[bytes]) -> None:
    port = int(url.split(":")[2].split("/")[0])
    for _ in range(200):
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.log_path.read_text()}")  # type: ignore[attr-defined]
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("server did not start listening")


@contextlib.asynccontextmanager
async def two_processes(tmp_path: Path) -> AsyncIterator[tuple[str, str, subprocess.Popen[bytes]]]:
    with (
        _server_process(tmp_path, "a") as (url_a, pa),
        _server_process(tmp_path, "b") as (url_b, pb),
    ):
        await _wait_listening(url_a, pa)
        await _wait_listening(url_b, pb)
        yield url_a, url_b, pb


@pytest.mark.redis
@needs_redis
async def test_two_server_processes_share_a_room_through_redis(tmp_path: Path) -> None:
    async with two_processes(tmp_path) as (url_a, url_b, _):
        await _exercise_two_nodes(url_a, url_b)


@pytest.mark.redis
@needs_redis
async def test_avatars_of_a_dead_node_are_dropped(tmp_path: Path) -> None:
    async with two_processes(tmp_path) as (url_a, url_b, proc_b), open_client(url_a, sid="a") as a:
        await a.join(zone="entrance", shard=7)
        async with open_client(url_b, sid="b") as b:
            await b.join(zone="entrance", shard=7)
            await a.expect("enter")
            proc_b.kill()
            proc_b.wait()
        gone = await a.expect("exit", timeout=15)
        assert (gone["id"], gone["why"]) == (b.id, "node_lost")


async def test_resume_on_another_node_keeps_the_avatar(tmp_path: Path) -> None:
    """Without sticky sessions a reconnect lands on another node: same avatar, no ghost."""
    broker = InProcessBroker()
    await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            run_node(make_settings(tmp_path / "b"), broker) as nb,
            open_client(na.url, sid="watch") as watcher,
        ):
            await watcher.join(zone="lounge")
            async with open_client(na.url, sid="roam") as first:
                await first.join(zone="lounge")
                await watcher.expect("enter")
            async with open_client(nb.url, sid="roam") as again:
                await again.send("resume", token=first.token)
                welcome = await again.expect("welcome")
                assert welcome["id"] == first.id
                assert welcome["resumed"] is True
                assert [p["id"] for p in welcome["who"]].count(first.id) == 1
                me = next(p for p in welcome["who"] if p["id"] == first.id)["s"]
                await again.send("move", p=[me[1] / 100 + 0.3, 0.0, me[3] / 100], ts=4242)
                await watcher.expect(
                    "snap", lambda f: any(e[0] == first.id and e[5] == 4242 for e in f["u"])
                )
                await again.send("chat", text="still me")
                assert (await watcher.expect("chat"))["id"] == first.id
            # A foreign session cannot claim it, on either node.
            async with open_client(na.url, sid="thief") as thief:
                await thief.send("resume", token=welcome["token"])
                assert (await thief.expect("error"))["code"] == "resume_failed"
            async with open_client(nb.url, sid="thief") as thief:
                await thief.send("resume", token=welcome["token"])
                assert (await thief.expect("error"))["code"] == "resume_failed"
            assert not [f for f in watcher.frames if f["t"] == "exit"]
    finally:
        await broker.close()


async def test_a_lost_enter_is_recovered_from_the_next_sync(tmp_path: Path) -> None:
    """Pub/sub is at most once: a node that sees moves of an avatar it never heard of
    asks for the rosters again."""
    broker = InProcessBroker()
    await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            run_node(make_settings(tmp_path / "b"), broker) as nb,
            open_client(na.url, sid="a") as a,
            open_client(nb.url, sid="b") as b,
        ):
            wa = await a.join(zone="lounge")
            wb = await b.join(zone="lounge")
            await a.expect("enter")
            if all(p["id"] != a.id for p in wb["who"]):
                await b.expect("enter", lambda f: any(p["id"] == a.id for p in f["who"]))
            room = nb.hub.rooms["acme/lounge#1"]
            assert a.id is not None
            room.remove(a.id)  # as if B had missed A's Enter
            me = next(e for e in wa["u"] if e[0] == a.id)
            await a.send("move", p=[me[1] / 100 + 0.2, 0.0, me[3] / 100], ts=1)
            await b.expect("enter", lambda f: any(p["id"] == a.id for p in f["who"]))
            await a.send("move", p=[me[1] / 100 + 0.4, 0.0, me[3] / 100], ts=3)
            await b.expect("snap", lambda f: any(e[0] == a.id and e[5] == 3 for e in f["u"]))
    finally:
        await broker.close()


async def test_a_lost_exit_is_repaired_by_the_heartbeat(tmp_path: Path) -> None:
    broker = InProcessBroker()
    await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            run_node(make_settings(tmp_path / "b"), broker) as nb,
            open_client(na.url, sid="a") as a,
            open_client(nb.url, sid="b") as b,
        ):
            await a.join(zone="lounge")
            await b.join(zone="lounge")
            if len(b.frames[0]["who"]) == 1:  # A arrives by roster after B's welcome
                await b.expect("enter")
            # A ghost: B mirrors an avatar of node A that A does not own (its Exit was lost).
            room = nb.hub.rooms["acme/lounge#1"]
            ghost = Avatar(id=999, name="ghost", badge="customer", look=Look(), node=na.hub.node,
                           x=0.0, y=0.0, z=0.0)  # fmt: skip
            room.add(ghost)
            gone = await b.expect("exit", lambda f: f["id"] == 999, timeout=5)
            assert gone["why"] == "left"
            assert a.id in room.avatars
    finally:
        await broker.close()


async def test_resume_with_a_token_of_a_node_that_is_gone_fails_at_once(tmp_path: Path) -> None:
    """Nobody listens on a dead node's channel: the client joins afresh without waiting
    for the claim's timeout (a reconnect after a node was killed)."""
    broker = InProcessBroker()
    await broker.start()
    try:
        async with (
            run_node(make_settings(tmp_path / "a"), broker) as na,
            open_client(na.url, sid="roam") as c,
        ):
            started = asyncio.get_running_loop().time()
            await c.send("resume", token="deadbeef0000.not-a-live-node")
            assert (await c.expect("error"))["code"] == "resume_failed"
            assert asyncio.get_running_loop().time() - started < 1.0
    finally:
        await broker.close()
