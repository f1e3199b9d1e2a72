"""A room: its avatars, a spatial hash for interest management, and the per-tick snapshot.

Interest management: the room is cut into square cells of the interest radius on the
ground plane (x, z). A client sees the 3 x 3 cells around its own, which covers at
least the radius in every direction. Each tick, changed avatars are bucketed by cell
and one snapshot frame is encoded per occupied view cell, shared by every client
standing in that cell; entries are pre-encoded once per avatar per tick. The per-tick
cost therefore grows with the number of changes and occupied cells, and the only
per-client work is handing the shared frame to the client's writer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from vitrina.world.avatar import Avatar, Cell
from vitrina.world.layout import Zone
from vitrina.world.protocol import ServerFrame, SnapOut, encode, json_encoder, mp_encoder

if TYPE_CHECKING:
    from vitrina.world.session import Session

_NEAR = tuple((dx, dz) for dx in (-1, 0, 1) for dz in (-1, 0, 1))
_MISSING: Any = object()


def near(a: Cell, b: Cell) -> bool:
    return abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1


class Room:
    def __init__(
        self,
        *,
        brand: str,
        zone_name: str,
        shard: int,
        zone: Zone,
        capacity: int,
        cell_size: float,
    ) -> None:
        self.id = room_id(brand, zone_name, shard)
        self.brand = brand
        self.zone_name = zone_name
        self.shard = shard
        self.zone = zone
        self.capacity = capacity
        self.cell_size = cell_size
        self.avatars: dict[int, Avatar] = {}
        self.sessions: dict[int, Session] = {}  # connected local clients, by avatar id
        self.cells: dict[Cell, dict[int, Avatar]] = {}
        self.tick_no = 0
        self.slot = 0  # the tick phase this room is ticked in (set by the hub)
        self.remote_seen: dict[str, float] = {}  # other node -> last message time
        self.roster_asked_at = 0.0  # when this node last asked the others for their avatars
        self._dirty: dict[int, Avatar] = {}
        self._moved_from: dict[int, Cell] = {}

    # ------------------------------------------------------------ membership

    def cell_of(self, x: float, z: float) -> Cell:
        cs = self.cell_size
        return (math.floor(x / cs), math.floor(z / cs))

    def add(self, avatar: Avatar) -> None:
        avatar.cell = self.cell_of(avatar.x, avatar.z)
        self.avatars[avatar.id] = avatar
        self.cells.setdefault(avatar.cell, {})[avatar.id] = avatar

    def remove(self, avatar_id: int) -> Avatar | None:
        avatar = self.avatars.pop(avatar_id, None)
        if avatar is None:
            return None
        cell = self.cells.get(avatar.cell)
        if cell is not None:
            cell.pop(avatar_id, None)
            if not cell:
                del self.cells[avatar.cell]
        self.sessions.pop(avatar_id, None)
        self._dirty.pop(avatar_id, None)
        self._moved_from.pop(avatar_id, None)
        return avatar

    def moved(self, avatar: Avatar) -> None:
        """Record that `avatar` changed; it goes out with the next tick."""
        new = self.cell_of(avatar.x, avatar.z)
        old = avatar.cell
        if new != old:
            self._moved_from.setdefault(avatar.id, old)
            cell = self.cells[old]
            del cell[avatar.id]
            if not cell:
                del self.cells[old]
            self.cells.setdefault(new, {})[avatar.id] = avatar
            avatar.cell = new
        self._dirty[avatar.id] = avatar

    def is_empty_locally(self, node: str) -> bool:
        return all(a.node != node for a in self.avatars.values())

    def visible_entries(self, cell: Cell) -> list[Avatar]:
        out: list[Avatar] = []
        cx, cz = cell
        cells = self.cells
        for dx, dz in _NEAR:
            cell_avatars = cells.get((cx + dx, cz + dz))
            if cell_avatars:
                out.extend(cell_avatars.values())
        return out

    # ------------------------------------------------------------ sending

    def broadcast(self, frame: ServerFrame, *, exclude: int | None = None) -> None:
        mp: bytes | None = None
        js: str | None = None
        for aid, session in self.sessions.items():
            if aid == exclude:
                continue
            if session.json_mode:
                if js is None:
                    js = encode(frame, json_mode=True).decode()
                session.push(js)
            else:
                if mp is None:
                    mp = encode(frame, json_mode=False)
                session.push(mp)

    def tick(self, local_node: str) -> list[Any]:
        """Send this tick's snapshots; return the entries of changed local avatars."""
        self.tick_no += 1
        if not self._dirty:
            return []
        dirty, self._dirty = self._dirty, {}
        moved_from, self._moved_from = self._moved_from, {}
        transitions = [
            (aid, old, a.cell)
            for aid, old in moved_from.items()
            if (a := self.avatars.get(aid)) is not None and a.cell != old
        ]
        buckets: dict[Cell, list[Avatar]] = {}
        for a in dirty.values():
            b = buckets.get(a.cell)
            if b is None:
                buckets[a.cell] = [a]
            else:
                b.append(a)
        frames: dict[tuple[Cell, bool], Any] = {}
        for session in self.sessions.values():
            cell = session.avatar.cell if session.avatar is not None else None
            if cell is None:
                continue
            if session.view_cell != cell:
                self._catch_up(session, session.view_cell, cell, moved_from)
                session.view_cell = cell
            key = (cell, session.json_mode)
            frame = frames.get(key, _MISSING)
            if frame is _MISSING:
                frame = self._group_frame(cell, buckets, transitions, session.json_mode)
                frames[key] = frame
            if frame is not None:
                session.push(frame)
        return [a.entry for a in dirty.values() if a.node == local_node]

    def _group_frame(
        self,
        cell: Cell,
        buckets: dict[Cell, list[Avatar]],
        transitions: list[tuple[int, Cell, Cell]],
        json_mode: bool,
    ) -> bytes | str | None:
        cx, cz = cell
        changed: list[Avatar] = []
        if len(buckets) <= 9:
            for bcell, bucket in buckets.items():
                if abs(bcell[0] - cx) <= 1 and abs(bcell[1] - cz) <= 1:
                    changed.extend(bucket)
        else:
            for dx, dz in _NEAR:
                near_bucket = buckets.get((cx + dx, cz + dz))
                if near_bucket:
                    changed.extend(near_bucket)
        gone = [aid for aid, old, new in transitions if near(old, cell) and not near(new, cell)]
        if not changed and not gone:
            return None
        if json_mode:
            snap = SnapOut(k=self.tick_no, u=[a.entry for a in changed], g=gone)
            return json_encoder.encode(snap).decode()
        return mp_encoder.encode(SnapOut(k=self.tick_no, u=[a.raw for a in changed], g=gone))

    def _catch_up(
        self, session: Session, old: Cell | None, new: Cell, moved_from: dict[int, Cell]
    ) -> None:
        """The client's view moved from cell `old` to `new`: send what came into view,
        drop what the client knew that is out of view now. What it knew is judged by
        where avatars stood before this tick (`moved_from`), since some moved too."""
        if old is None:
            return
        appeared = [
            a for a in self.visible_entries(new) if not near(moved_from.get(a.id, a.cell), old)
        ]
        gone = [
            a.id
            for a in self.visible_entries(old)
            if a.id not in moved_from and not near(a.cell, new)
        ]
        for aid, before in moved_from.items():
            a = self.avatars.get(aid)
            if a is not None and near(before, old) and not near(a.cell, new):
                gone.append(aid)
        if not appeared and not gone:
            return
        if session.json_mode:
            snap = SnapOut(k=self.tick_no, u=[a.entry for a in appeared], g=gone)
            session.push(json_encoder.encode(snap).decode())
        else:
            session.push(
                mp_encoder.encode(SnapOut(k=self.tick_no, u=[a.raw for a in appeared], g=gone))
            )


def room_id(brand: str, zone: str, shard: int) -> str:
    return f"{brand}/{zone}#{shard}"
