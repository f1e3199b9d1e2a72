"""Avatar sync: snapshots, quantisation, validation, interest cells, chat limits, resume."""

from __future__ import annotations

import math
from pathlib import Path

from tests.world.conftest import Node, make_settings, open_client, run_node
from vitrina.world import service as world
from vitrina.world.events import ChatPosted
from vitrina.world.layout import Zone

BIG = {"plaza": Zone(min=(-100.0, 0.0, -100.0), max=(100.0, 5.0, 100.0), spawn=(0.0, 0.0, 0.0))}


async def test_moves_reach_others_quantised_with_sender_timestamp(node: Node) -> None:
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        wa = await a.join()
        await b.join()
        sx, _, sz = (e for e in wa["u"] if e[0] == a.id).__next__()[1:4]
        x, z = sx / 100 + 0.123, sz / 100 - 0.456
        await a.send("move", p=[x, 0.0, z], r=math.pi / 2, ts=123456)
        snap = await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"]))
        entry = next(e for e in snap["u"] if e[0] == a.id)
        assert entry[1:4] == [round(x * 100), 0, round(z * 100)]
        assert entry[4] == 16384  # a quarter turn in 1/65536 turns
        assert entry[5] == 123456
        assert snap["v"] == 1
        assert isinstance(snap["k"], int)


async def test_vr_poses_are_relayed(node: Node) -> None:
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        wa = await a.join()
        await b.join()
        me = next(e for e in wa["u"] if e[0] == a.id)
        x, z = me[1] / 100, me[3] / 100
        head = [x, 1.7, z, 0.0, 0.0, 0.0, 1.0]
        await a.send("move", p=[x, 0.0, z], h=head, lh=None, rh=[x + 0.3, 1.2, z, 0, 0, 0, 1])
        snap = await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"]))
        entry = next(e for e in snap["u"] if e[0] == a.id)
        assert entry[6] == [round(x * 100), 170, round(z * 100), 0, 0, 0, 32767]
        assert entry[7] is None
        assert entry[8][1] == 120


async def test_late_joiner_gets_full_state(node: Node) -> None:
    async with open_client(node.url, sid="a") as a:
        wa = await a.join()
        me = next(e for e in wa["u"] if e[0] == a.id)
        target = [me[1] / 100 + 0.5, 0.0, me[3] / 100]
        await a.send("move", p=target)
        await a.expect("snap", lambda f: any(e[0] == a.id for e in f["u"]))
        async with open_client(node.url, sid="b") as b:
            wb = await b.join()
            entry = next(e for e in wb["u"] if e[0] == a.id)
            assert entry[1] == round(target[0] * 100)
            assert next(p for p in wb["who"] if p["id"] == a.id)["s"][1] == entry[1]


async def test_out_of_bounds_and_too_fast_moves_are_corrected(node: Node) -> None:
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        wa = await a.join()
        await b.join()
        me = next(e for e in wa["u"] if e[0] == a.id)
        here = [me[1] / 100, 0.0, me[3] / 100]
        await a.send("move", p=[500.0, 0.0, 0.0])
        fix = await a.expect("correct")
        assert fix["why"] == "bounds"
        assert [round(v * 100) for v in fix["p"]] == [me[1], me[2], me[3]]
        await a.send("move", p=[here[0], 0.0, here[2] - 15.0])  # 15 m in one step
        assert (await a.expect("correct"))["why"] == "speed"
        await a.send("move", p=[float("nan"), 0.0, 0.0])
        assert (await a.expect("error"))["code"] == "bad_value"
        await a.send("move", p=[float("inf"), 0.0, 0.0])
        assert (await a.expect("error"))["code"] == "bad_value"
        # A granted teleport lets the same jump through.
        world.grant_teleport(node.hub, avatar_id=a.id, ttl_s=5)
        await a.send("move", p=[here[0], 0.0, here[2] - 15.0])
        snap = await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"]))
        assert next(e for e in snap["u"] if e[0] == a.id)[3] == round((here[2] - 15.0) * 100)
        assert node.hub.stats.rejected_moves == 2


async def test_interest_cells_limit_what_each_client_receives(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, world_interest_radius_m=10.0)
    async with run_node(settings) as n:
        world.set_brand_layout(n.hub, brand="big", zones=BIG)
        async with (
            open_client(n.url, sid="near") as near,
            open_client(n.url, sid="far") as far,
            open_client(n.url, sid="mover") as mover,
        ):
            for c in (near, far, mover):
                await c.join(brand="big", zone="plaza")
            # Place the three avatars: near and mover around the origin, far 60 m away.
            for c, p in (
                (near, (2.0, 0.0, 2.0)),
                (far, (60.0, 0.0, 60.0)),
                (mover, (0.0, 0.0, 0.0)),
            ):
                assert c.id is not None
                world.grant_teleport(n.hub, avatar_id=c.id, ttl_s=5)
                await c.send("move", p=list(p))
            await far.expect("snap", lambda f: any(e[0] == far.id for e in f["u"]))
            await near.expect("snap", lambda f: any(e[0] == mover.id for e in f["u"]))
            for step in range(1, 4):
                await mover.send("move", p=[step * 0.3, 0.0, 0.0], ts=step)
                await near.expect(
                    "snap", lambda f, s=step: any(e[0] == mover.id and e[5] == s for e in f["u"])
                )
            # `far` sees its own entries only, never the mover's.
            await far.send("move", p=[60.5, 0.0, 60.0], ts=99)
            await far.expect("snap", lambda f: any(e[0] == far.id and e[5] == 99 for e in f["u"]))
            seen_by_far = {e[0] for f in far.frames if f["t"] == "snap" for e in f["u"]}
            assert mover.id not in seen_by_far
            # When `far` walks into range it gets the mover's state without the mover moving.
            world.grant_teleport(n.hub, avatar_id=far.id, ttl_s=5)
            await far.send("move", p=[5.0, 0.0, 0.0])
            snap = await far.expect("snap", lambda f: any(e[0] == mover.id for e in f["u"]))
            assert next(e for e in snap["u"] if e[0] == mover.id)[1] == 90
            # And when the mover leaves `near`'s area, `near` is told it is gone.
            world.grant_teleport(n.hub, avatar_id=mover.id, ttl_s=5)
            await mover.send("move", p=[-80.0, 0.0, -80.0])
            await near.expect("snap", lambda f: mover.id in f.get("g", []))


async def test_chat_is_broadcast_rate_limited_and_published(node: Node) -> None:
    async with open_client(node.url, sid="a", name="Ann") as a, open_client(node.url, sid="b") as b:
        await a.join()
        await b.join()
        await a.send("chat", text="hello")
        line = await b.expect("chat")
        assert (line["id"], line["name"], line["text"]) == (a.id, "Ann", "hello")
        await a.send("chat", text="x" * 501)
        assert (await a.expect("error"))["code"] == "text_too_long"
        for i in range(10):
            await a.send("chat", text=f"spam {i}")
        err = await a.expect("error", lambda f: f["code"] == "rate_limited")
        assert err["ref"] == "chat"
        await a.send("emote", name="wave")
        await a.send("emote", name="backflip")
        assert (await a.expect("error", lambda f: f["ref"] == "emote"))["code"] in (
            "bad_value",
            "rate_limited",
        )
    posted = [e for e in node.events if isinstance(e, ChatPosted)]
    assert posted[0].text == "hello"
    assert posted[0].session_id == "a"
    assert len(posted) <= 5  # the burst allowance, then rate limited


async def test_the_retired_free_form_signal_frame_reaches_nobody(node: Node) -> None:
    """Voice goes through call frames between a customer and their advisor; a free-form
    relay to any participant would let strangers push data to each other."""
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        await a.join()
        await b.join()
        await a.send("signal", to=b.id, kind="offer", data="v=0 sdp")
        assert (await a.expect("error"))["code"] == "unknown_type"
        await b.send("ping", ts=1)
        await b.expect("pong")
        assert not [f for f in b.frames if f["t"] == "signal"]


async def test_resume_within_grace_keeps_the_avatar_without_ghost(node: Node) -> None:
    async with open_client(node.url, sid="watcher") as w:
        await w.join()
        async with open_client(node.url, sid="r") as r1:
            await r1.join()
            first_id, token = r1.id, r1.token
            await w.expect("enter")
        # The socket dropped without `leave`: the avatar waits for its client.
        async with open_client(node.url, sid="r") as r2:
            await r2.send("resume", token=token)
            welcome = await r2.expect("welcome")
            assert welcome["id"] == first_id
            assert welcome["resumed"] is True
            assert welcome["token"] != token
            assert [p["id"] for p in welcome["who"]].count(first_id) == 1
            assert len(welcome["who"]) == 2
        # Re-joining the same room from the same session also reuses the avatar.
        async with open_client(node.url, sid="r") as r3:
            welcome = await r3.join()
            assert welcome["id"] == first_id
            assert len(welcome["who"]) == 2
        # A stale token or another session's token is refused.
        async with open_client(node.url, sid="thief") as t:
            await t.send("resume", token=welcome["token"])
            assert (await t.expect("error"))["code"] == "resume_failed"
    assert not [f for f in w.frames if f["t"] == "exit"]
    assert len([f for f in w.frames if f["t"] == "enter"]) == 1


async def test_resume_replaces_a_half_open_connection(node: Node) -> None:
    async with open_client(node.url, sid="r") as old:
        await old.join()
        async with open_client(node.url, sid="r") as new:
            await new.send("resume", token=old.token)
            assert (await new.expect("welcome"))["id"] == old.id
            assert await old.closed() == 4009


async def test_avatar_is_removed_after_the_grace_period(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, world_resume_grace_s=0.5)
    async with run_node(settings) as n, open_client(n.url, sid="w") as w:
        await w.join()
        async with open_client(n.url, sid="gone") as g:
            await g.join()
        exit_frame = await w.expect("exit")
        assert (exit_frame["id"], exit_frame["why"]) == (g.id, "timeout")


async def test_bot_and_advisor_teleport_through_the_service(node: Node) -> None:
    async with open_client(node.url, sid="cust", name="Cara") as cust:
        await cust.join()
        bot = await world.join_bot(node.hub, brand="acme", zone="showroom", display_name="Greeter")
        enter = await cust.expect("enter")
        assert enter["who"][0]["badge"] == "bot"
        await bot.say("Welcome!")
        assert (await cust.expect("chat"))["name"] == "Greeter"
        occupants = world.room_occupants(node.hub, brand="acme", zone="showroom")
        assert {o.badge for o in occupants} == {"customer", "bot"}
        assert cust.id is not None
        p = await world.teleport_next_to(node.hub, avatar_id=bot.id, target_id=cust.id)
        snap = await cust.expect("snap", lambda f: any(e[0] == bot.id for e in f["u"]))
        assert next(e for e in snap["u"] if e[0] == bot.id)[1] == round(p[0] * 100)
        p2 = await world.teleport_next_to(node.hub, avatar_id=cust.id, target_id=bot.id)
        fix = await cust.expect("correct")
        assert fix["why"] == "teleport"
        assert fix["p"] == list(p2)
        await bot.leave()
        assert (await cust.expect("exit"))["id"] == bot.id


async def test_advisor_in_another_room_is_brought_next_to_the_customer(node: Node) -> None:
    async with (
        open_client(node.url, sid="cust", name="Cara") as cust,
        open_client(node.url, sid="adv", name="Ada", extra="staff=1") as adv,
    ):
        await cust.join(zone="showroom")
        await adv.join(zone="lounge")
        assert cust.id is not None
        assert adv.id is not None
        p = await world.teleport_next_to(node.hub, avatar_id=adv.id, target_id=cust.id)
        welcome = await adv.expect("welcome", lambda f: f["room"] == "acme/showroom#1")
        me = next(e for e in welcome["u"] if e[0] == welcome["id"])
        assert me[1:4] == [round(v * 100) for v in p]
        enter = await cust.expect("enter")
        assert (enter["who"][0]["name"], enter["who"][0]["badge"]) == ("Ada", "advisor")
        # The advisor can move on from there at walking speed.
        await adv.send("move", p=[p[0] + 0.3, p[1], p[2]], ts=5)
        await cust.expect(
            "snap", lambda f: any(e[0] == welcome["id"] and e[5] == 5 for e in f["u"])
        )


async def test_joining_the_same_room_again_repeats_the_welcome(node: Node) -> None:
    async with open_client(node.url, sid="x") as c:
        first = await c.join()
        again = await c.join()
        assert again["id"] == first["id"]
        assert len(again["who"]) == 1
