"""Interest management as a model: after every tick, what each client has been told
(welcome state + snapshot entries - `g` removals) equals a fresh look at what it can
see. Zulip's rule for event systems: old state + events == a fresh fetch."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from vitrina.world.avatar import Avatar
from vitrina.world.layout import Zone
from vitrina.world.protocol import Look
from vitrina.world.room import Room

ZONE = Zone(min=(-50.0, 0.0, -50.0), max=(50.0, 5.0, 50.0), spawn=(0.0, 0.0, 0.0))


class FakeSession:
    json_mode = False

    def __init__(self, avatar: Avatar) -> None:
        self.avatar = avatar
        self.view_cell = avatar.cell
        self.known: dict[int, tuple[Any, ...]] = {}

    def push(self, data: bytes | str) -> None:
        frame = msgspec.msgpack.decode(data)
        for entry in frame.get("u", []):
            self.known[entry[0]] = tuple(entry)
        for gone in frame.get("g", []):
            self.known.pop(gone, None)


coords = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)
moves = st.lists(
    st.lists(st.tuples(st.integers(0, 5), coords, coords), max_size=6), min_size=1, max_size=8
)


@settings(max_examples=150, deadline=None)
@given(start=st.lists(st.tuples(coords, coords), min_size=2, max_size=6), ticks=moves)
def test_client_view_equals_a_fresh_fetch(
    start: list[tuple[float, float]], ticks: list[list[tuple[int, float, float]]]
) -> None:
    room = Room(brand="b", zone_name="z", shard=1, zone=ZONE, capacity=50, cell_size=10.0)
    sessions: list[FakeSession] = []
    for i, (x, z) in enumerate(start):
        avatar = Avatar(id=i + 1, name=f"a{i}", badge="customer", look=Look(), node="n",
                        x=x, y=0.0, z=z)  # fmt: skip
        room.add(avatar)
        session = FakeSession(avatar)
        # The welcome: the entries of everything in view at join time.
        session.known = {a.id: a.entry for a in room.visible_entries(avatar.cell)}
        for other in sessions:  # earlier clients learn of the newcomer if it is in view
            if avatar in room.visible_entries(other.avatar.cell):
                other.known[avatar.id] = avatar.entry
        sessions.append(session)
        room.sessions[avatar.id] = session  # type: ignore[assignment]
    for tick in ticks:
        for index, x, z in tick:
            if index < len(sessions):
                avatar = sessions[index].avatar
                avatar.set_pose(x, 0.0, z, 0.0, None, None)
                room.moved(avatar)
        room.tick("n")
        for s in sessions:
            fresh = {a.id: a.entry for a in room.visible_entries(s.avatar.cell)}
            assert s.known == fresh
