"""Joining, presence, leaving and room capacity over real sockets."""

from __future__ import annotations

from pathlib import Path

from tests.world.conftest import Node, make_settings, open_client, run_node
from vitrina.world.events import PresenceJoined, PresenceLeft


async def test_join_gets_welcome_and_others_see_enter_and_exit(node: Node) -> None:
    async with open_client(node.url, sid="a", name="Alice") as alice:
        welcome = await alice.join()
        assert welcome["v"] == 1
        assert welcome["room"] == "acme/showroom#1"
        assert [p["name"] for p in welcome["who"]] == ["Alice"]
        assert welcome["who"][0]["badge"] == "customer"
        async with open_client(node.url, sid="b", name="Bob") as bob:
            w2 = await bob.join(look={"model": "robot", "color": "#ff0000"})
            assert {p["name"] for p in w2["who"]} == {"Alice", "Bob"}
            enter = await alice.expect("enter")
            assert enter["who"][0]["name"] == "Bob"
            assert enter["who"][0]["look"]["model"] == "robot"
            assert enter["who"][0]["id"] == bob.id
            await bob.send("leave")
            gone = await alice.expect("exit")
            assert gone == {"t": "exit", "v": 1, "id": bob.id, "why": "left"}
    kinds = [type(e) for e in node.events]
    assert kinds.count(PresenceJoined) == 2
    assert PresenceLeft in kinds


async def test_staff_gets_advisor_badge(node: Node) -> None:
    async with open_client(node.url, sid="s1", name="Ada", extra="staff=1") as ada:
        welcome = await ada.join()
        assert welcome["who"][0]["badge"] == "advisor"


async def test_full_room_suggests_a_sibling_shard(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, world_room_capacity=2)
    async with (
        run_node(settings) as n,
        open_client(n.url, sid="1") as c1,
        open_client(n.url, sid="2") as c2,
        open_client(n.url, sid="3") as c3,
    ):
        await c1.join()
        await c2.join()
        await c3.send("join", brand="acme", zone="showroom")
        err = await c3.expect("error")
        assert err["code"] == "room_full"
        assert err["suggest"] == "showroom#2"
        welcome = await c3.join(shard=2)
        assert welcome["room"] == "acme/showroom#2"
        assert [p["id"] for p in welcome["who"]] == [c3.id]


async def test_unknown_zone_and_moves_before_join_are_errors(node: Node) -> None:
    async with open_client(node.url) as c:
        await c.send("join", brand="acme", zone="basement")
        assert (await c.expect("error"))["code"] == "unknown_zone"
        await c.send("move", p=[0, 0, 0])
        assert (await c.expect("error"))["code"] == "not_in_room"
        await c.send("ping", ts=42)
        assert (await c.expect("pong"))["ts"] == 42


async def test_switching_rooms_leaves_the_first(node: Node) -> None:
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        await a.join(zone="entrance")
        await b.join(zone="entrance")
        await a.expect("enter")
        await b.join(zone="lounge")
        assert (await a.expect("exit"))["why"] == "moved"


async def test_unauthenticated_socket_is_closed_with_4001(node: Node) -> None:
    async with open_client(node.url, extra="anon=1") as c:
        assert await c.closed() == 4001


async def test_json_debug_mode(node: Node) -> None:
    async with open_client(node.url, sid="j", json_mode=True) as c:
        welcome = await c.join()
        assert welcome["t"] == "welcome"
        await c.send("chat", text="hello in json")
        chat = await c.expect("chat")
        assert chat["text"] == "hello in json"


async def test_shutting_a_node_down_closes_its_clients_for_a_resume(tmp_path: Path) -> None:
    running = run_node(make_settings(tmp_path))
    n = await running.__aenter__()
    async with open_client(n.url, sid="s") as c:
        await c.join()
        await running.__aexit__(None, None, None)
        assert await c.closed() in (1001, 1012)
