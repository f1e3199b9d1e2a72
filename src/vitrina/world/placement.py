"""Where the server puts an avatar: never inside another one.

Newcomers appear around the zone's spawn point, a bot or an advisor placed "next to" a
customer stands in front of them, turned towards them; in every case the first spot on
rings around the wanted point that keeps `GAP` metres from everybody else is taken, so
two avatars (and their name tags) never overlap. The order of the candidates is fixed:
the same room gives the same answer, which keeps tests and reconnections predictable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from vitrina.world.layout import Zone
from vitrina.world.protocol import Vec3

# Shoulder to shoulder, with room for the name tags to be read apart.
GAP = 1.2
RING_STEP = 1.3
RINGS = 6


def _candidates(centre: Vec3, first: float, *, start: float) -> Iterator[tuple[float, float]]:
    """Points on rings around `centre`, nearest first; `start` is the preferred bearing."""
    cx, _, cz = centre
    if first == 0.0:
        yield cx, cz
    for ring in range(RINGS):
        radius = first + ring * RING_STEP if first else (ring + 1) * RING_STEP
        count = max(6, int(2 * math.pi * radius / GAP))
        for step in range(count):
            # Alternate sides of the preferred bearing: 0, +1, -1, +2, -2, ...
            k = (step + 1) // 2 * (1 if step % 2 else -1)
            angle = start + k * 2 * math.pi / count
            yield cx + math.sin(angle) * radius, cz + math.cos(angle) * radius


def _clamp(zone: Zone, x: float, z: float) -> tuple[float, float]:
    margin = 0.4
    lo, hi = zone.min, zone.max
    return (
        min(max(x, lo[0] + margin), hi[0] - margin),
        min(max(z, lo[2] + margin), hi[2] - margin),
    )


def free_spot(
    zone: Zone,
    others: Iterable[tuple[float, float]],
    *,
    around: Vec3,
    distance: float = 0.0,
    bearing: float = 0.0,
) -> Vec3:
    """The first spot `distance` (or more) metres from `around`, towards `bearing` first,
    inside the zone and at least GAP from every point of `others`."""
    taken = list(others)
    fallback: tuple[float, float] | None = None
    for raw_x, raw_z in _candidates(around, distance, start=bearing):
        x, z = _clamp(zone, raw_x, raw_z)
        if fallback is None:
            fallback = (x, z)
        if all(math.hypot(x - ox, z - oz) >= GAP for ox, oz in taken):
            return (x, around[1], z)
    assert fallback is not None
    return (fallback[0], around[1], fallback[1])  # a packed room: the preferred spot


def facing(source: Vec3, target: Vec3) -> float:
    """The yaw that turns an avatar at `source` towards `target` (three.js: forward is -z)."""
    return math.atan2(-(target[0] - source[0]), -(target[2] - source[2])) % (2 * math.pi)
