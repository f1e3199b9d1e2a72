"""An avatar's state, its quantised wire entry and the checks a move must pass."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from vitrina.world.protocol import Look, Pose, Presence, Vec3, mp_encoder

if TYPE_CHECKING:
    from vitrina.world.session import Session

_TAU = 2.0 * math.pi
_YAW_UNITS = 65536.0 / _TAU
Cell = tuple[int, int]
# An entry: [id, x_cm, y_cm, z_cm, yaw_u16, ts] plus, for VR, [head, left, right] poses.
Entry = tuple[Any, ...]


def quantise_pose(p: Pose | None) -> tuple[int, ...] | None:
    if p is None:
        return None
    return (
        round(p[0] * 100.0),
        round(p[1] * 100.0),
        round(p[2] * 100.0),
        round(max(-1.0, min(1.0, p[3])) * 32767.0),
        round(max(-1.0, min(1.0, p[4])) * 32767.0),
        round(max(-1.0, min(1.0, p[5])) * 32767.0),
        round(max(-1.0, min(1.0, p[6])) * 32767.0),
    )


@dataclass(slots=True, eq=False)
class Avatar:
    id: int
    name: str
    badge: str
    look: Look
    node: str
    x: float
    y: float
    z: float
    yaw: float = 0.0
    session_id: str | None = None
    user_id: str | None = None
    vr: tuple[Any, Any, Any] | None = None
    ts: int | None = None
    cell: Cell = (0, 0)
    # Local bookkeeping (unused for avatars mirrored from another node).
    session: Session | None = None
    resume_token: str | None = None
    detached_at: float | None = None
    last_move_at: float = 0.0
    teleport_until: float = 0.0
    # Mirrors of other nodes' avatars: when the owner last announced or handed it over.
    announced_at: float = 0.0
    _entry: Entry | None = field(default=None, repr=False)
    _raw: msgspec.Raw | None = field(default=None, repr=False)

    @property
    def position(self) -> Vec3:
        return (self.x, self.y, self.z)

    def set_pose(
        self,
        x: float,
        y: float,
        z: float,
        yaw: float,
        vr: tuple[Any, Any, Any] | None,
        ts: int | None,
    ) -> None:
        self.x, self.y, self.z, self.yaw, self.vr, self.ts = x, y, z, yaw, vr, ts
        self._entry = None
        self._raw = None

    def set_entry(self, entry: Entry) -> None:
        """Apply a quantised entry received from another node."""
        self.x, self.y, self.z = entry[1] / 100.0, entry[2] / 100.0, entry[3] / 100.0
        self.yaw = entry[4] / _YAW_UNITS
        self.ts = entry[5]
        self.vr = (entry[6], entry[7], entry[8]) if len(entry) >= 9 else None
        self._entry = entry
        self._raw = None

    @property
    def entry(self) -> Entry:
        e = self._entry
        if e is None:
            base = (
                self.id,
                round(self.x * 100.0),
                round(self.y * 100.0),
                round(self.z * 100.0),
                round((self.yaw % _TAU) * _YAW_UNITS) & 0xFFFF,
                self.ts,
            )
            e = base + self.vr if self.vr is not None else base
            self._entry = e
        return e

    @property
    def raw(self) -> msgspec.Raw:
        """The entry encoded once as MessagePack, reused for every frame that carries it."""
        r = self._raw
        if r is None:
            r = msgspec.Raw(mp_encoder.encode(self.entry))
            self._raw = r
        return r

    def presence(self) -> Presence:
        return Presence(id=self.id, name=self.name, badge=self.badge, look=self.look, s=self.entry)


def move_allowed(
    avatar: Avatar, x: float, y: float, z: float, now: float, max_speed: float
) -> bool:
    """Walking speed check: at most `max_speed` m/s since the last accepted move.

    The elapsed time counts for at most one second, so standing still does not
    bank distance for a later jump; 0.5 m of slack absorbs network jitter.
    """
    if now < avatar.teleport_until:
        return True
    dt = min(1.0, max(now - avatar.last_move_at, 0.05))
    dx, dy, dz = x - avatar.x, y - avatar.y, z - avatar.z
    allowed = max_speed * dt + 0.5
    return dx * dx + dy * dy + dz * dz <= allowed * allowed
