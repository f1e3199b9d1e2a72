"""VR head and hand poses over a real WebSocket: relayed quantised, bounded, refused whole."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from tests.world.conftest import Client, Node, open_client


def _yaw_quat(angle: float) -> list[float]:
    """A rotation of `angle` rad about +y as [qx, qy, qz, qw]."""
    return [0.0, math.sin(angle / 2), 0.0, math.cos(angle / 2)]


async def _spawn(client: Client, welcome: dict[str, Any]) -> tuple[float, float]:
    me = next(e for e in welcome["u"] if e[0] == client.id)
    return me[1] / 100, me[3] / 100


def _entry(frame: dict[str, Any], avatar_id: int | None) -> list[Any]:
    return next(e for e in frame["u"] if e[0] == avatar_id)


async def test_head_turn_and_hands_reach_the_other_client_quantised(node: Node) -> None:
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        x, z = await _spawn(a, await a.join())
        await b.join()
        left = [x - 0.3, 1.1, z - 0.2, 0.0, 0.0, 0.0, 1.0]
        right = [x + 0.3, 1.4, z - 0.4, 0.0, 0.0, 0.0, 1.0]
        await a.send("move", p=[x, 0.0, z], h=[x, 1.7, z, *_yaw_quat(0.0)], lh=left, rh=right)
        first = _entry(await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"])), a.id)
        assert first[6] == [round(x * 100), 170, round(z * 100), 0, 0, 0, 32767]
        assert first[7][:3] == [round((x - 0.3) * 100), 110, round((z - 0.2) * 100)]
        assert first[8][:3] == [round((x + 0.3) * 100), 140, round((z - 0.4) * 100)]

        # The head turns a quarter to the left and the right hand rises: the body stays.
        right_up = [x + 0.3, 1.9, z - 0.4, 0.0, 0.0, 0.0, 1.0]
        turned = [x, 1.7, z, *_yaw_quat(math.pi / 2)]
        await a.send("move", p=[x, 0.0, z], h=turned, lh=left, rh=right_up)
        second = _entry(
            await b.expect("snap", lambda f: any(e[0] == a.id and e[8][1] == 190 for e in f["u"])),
            a.id,
        )
        assert second[1:4] == first[1:4]
        assert second[6][4] == round(math.sin(math.pi / 4) * 32767)
        assert second[6][6] == round(math.cos(math.pi / 4) * 32767)

        # Out of VR: a move without poses drops them for everyone.
        await a.send("move", p=[x + 0.1, 0.0, z])
        third = _entry(await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"])), a.id)
        assert len(third) == 6


async def test_vr_entry_stays_small_on_the_wire(node: Node) -> None:
    """A VR avatar costs under 100 bytes per snapshot entry (positions in cm, int16 quaternions)."""
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        x, z = await _spawn(a, await a.join())
        await b.join()
        q = [0.1, 0.7, -0.1, 0.7]
        pose = [x + 0.41, 1.63, z - 0.27, *q]
        await a.send("move", p=[x, 0.0, z], h=pose, lh=pose, rh=pose)
        snap = await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"]))
        assert len(msgspec.msgpack.encode(_entry(snap, a.id))) < 100


async def test_bad_poses_get_an_error_and_change_nothing(node: Node) -> None:
    async with open_client(node.url, sid="a") as a, open_client(node.url, sid="b") as b:
        x, z = await _spawn(a, await a.join())
        await b.join()
        good = [x, 1.7, z, 0.0, 0.0, 0.0, 1.0]
        bad_poses = {
            "far from the body": [x + 3.0, 1.7, z, 0.0, 0.0, 0.0, 1.0],
            "not a unit quaternion": [x, 1.7, z, 0.0, 0.0, 0.0, 2.0],
            "zero quaternion": [x, 1.7, z, 0.0, 0.0, 0.0, 0.0],
            "infinite": [x, math.inf, z, 0.0, 0.0, 0.0, 1.0],
        }
        for why, bad in bad_poses.items():
            await a.send("move", p=[x + 0.2, 0.0, z], h=good, rh=bad)
            error = await a.expect("error")
            assert error["code"] == "bad_value", why
            assert error["ref"] == "move"
        # Wrong shape: a pose of six numbers is not a pose.
        await a.send("move", p=[x + 0.2, 0.0, z], lh=[x, 1.0, z, 0.0, 0.0, 1.0])
        assert (await a.expect("error"))["code"] == "bad_frame"
        # None of the refused moves went out; the next valid one does, with its poses.
        await a.send("move", p=[x + 0.3, 0.0, z], h=good)
        snap = await b.expect("snap", lambda f: any(e[0] == a.id for e in f["u"]))
        entry = _entry(snap, a.id)
        assert entry[1] == round((x + 0.3) * 100)
        assert entry[6][1] == 170
        assert not any(
            e[0] == a.id and e[1] == round((x + 0.2) * 100)
            for f in b.frames
            if f.get("t") == "snap"
            for e in f["u"]
        )
        assert node.hub.stats.rejected_moves == 0
