"""Nobody stands inside anybody: spawn spots, the greeter and an advisor joining a customer."""

from __future__ import annotations

import math
from itertools import combinations

from tests.world.conftest import Node, open_client
from vitrina.world import service as world
from vitrina.world.avatar import Avatar


def _apart(avatars: list[Avatar]) -> float:
    return min(math.hypot(a.x - b.x, a.z - b.z) for a, b in combinations(avatars, 2))


async def test_visitors_and_the_greeter_appear_at_least_a_metre_apart(node: Node) -> None:
    greeter = await world.join_bot(node.hub, brand="acme", zone="showroom", display_name="Nova")
    clients = [open_client(node.url, sid=f"v{i}", name=f"V{i}") for i in range(6)]
    opened = [await c.__aenter__() for c in clients]
    try:
        for visitor in opened:
            await visitor.join()
        room = node.hub.rooms["acme/showroom#1"]
        assert len(room.avatars) == 7
        assert _apart(list(room.avatars.values())) >= 1.0
        zone = room.zone
        for avatar in room.avatars.values():
            assert zone.contains(avatar.x, avatar.y, avatar.z)
            # Everybody starts around the entrance of the zone, not scattered over it.
            assert math.hypot(avatar.x - zone.spawn[0], avatar.z - zone.spawn[2]) < 5.0
        assert greeter.id in room.avatars
    finally:
        for c in clients:
            await c.__aexit__(None, None, None)


async def test_a_helper_placed_next_to_a_customer_faces_them_beside_the_one_already_there(
    node: Node,
) -> None:
    async with open_client(node.url, sid="cust", name="Cara") as cust:
        await cust.join()
        assert cust.id is not None
        greeter = await world.join_bot(node.hub, brand="acme", zone="showroom", display_name="Nova")
        advisor = await world.join_bot(node.hub, brand="acme", zone="showroom", display_name="Ada")
        await world.teleport_next_to(node.hub, avatar_id=greeter.id, target_id=cust.id)
        await world.teleport_next_to(node.hub, avatar_id=advisor.id, target_id=cust.id)
        room = node.hub.rooms["acme/showroom#1"]
        customer = room.avatars[cust.id]
        helpers = [room.avatars[greeter.id], room.avatars[advisor.id]]
        assert _apart([customer, *helpers]) >= 1.0
        for helper in helpers:
            assert math.hypot(helper.x - customer.x, helper.z - customer.z) < 3.0
            # Facing the customer: their forward vector (-sin yaw, -cos yaw) points at them.
            to_x, to_z = customer.x - helper.x, customer.z - helper.z
            length = math.hypot(to_x, to_z)
            forward = (-math.sin(helper.yaw), -math.cos(helper.yaw))
            assert (forward[0] * to_x + forward[1] * to_z) / length > 0.95
