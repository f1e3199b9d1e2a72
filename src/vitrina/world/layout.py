"""Zone layouts: which rooms a brand's storefront has and the box each one spans.

A layout is data. Until the brands domain stores one per brand, every brand gets
`DEFAULT_LAYOUT`; `LayoutRegistry.set_brand` (through `world.service`) or a JSON file
named by `VITRINA_WORLD_LAYOUT_FILE` replaces it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
import structlog

from vitrina.world.protocol import Vec3

log = structlog.get_logger(__name__)


class Zone(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An axis-aligned box in metres (y is up) plus where newcomers appear."""

    min: Vec3
    max: Vec3
    spawn: Vec3
    capacity: int | None = None  # None: the node's VITRINA_WORLD_ROOM_CAPACITY

    def contains(self, x: float, y: float, z: float) -> bool:
        lo, hi = self.min, self.max
        return lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1] and lo[2] <= z <= hi[2]

    @property
    def bounds(self) -> tuple[float, float, float, float, float, float]:
        return (*self.min, *self.max)


Layout = dict[str, Zone]

DEFAULT_LAYOUT: Layout = {
    "entrance": Zone(min=(-10.0, 0.0, -10.0), max=(10.0, 4.0, 10.0), spawn=(0.0, 0.0, 8.0)),
    "showroom": Zone(min=(-20.0, 0.0, -20.0), max=(20.0, 6.0, 20.0), spawn=(0.0, 0.0, 18.0)),
    "lounge": Zone(min=(-8.0, 0.0, -8.0), max=(8.0, 4.0, 8.0), spawn=(0.0, 0.0, 6.0)),
}

_layout_decoder = msgspec.json.Decoder(dict[str, Zone])


def load_layout_file(path: Path) -> Layout:
    """Read a `{"zone": {"min": [..], "max": [..], "spawn": [..]}}` JSON file."""
    layout = _layout_decoder.decode(path.read_bytes())
    for name, zone in layout.items():
        check_zone(name, zone)
    return layout


def check_zone(name: str, zone: Zone) -> None:
    if any(lo >= hi for lo, hi in zip(zone.min, zone.max, strict=True)):
        raise ValueError(f"zone {name!r}: min must be below max on every axis")
    if not zone.contains(*zone.spawn):
        raise ValueError(f"zone {name!r}: spawn point lies outside the zone")


def zones_from_store_layout(data: dict[str, Any]) -> Layout:
    """Read the brands domain's storefront layout (its JSON data, not its classes):
    `{"zones": [{"name", "bounds": {"min_x", "min_z", "max_x", "max_z", "height"},
    "capacity", "spawn": [x, z]}, ...]}`; the floor is at y = 0."""
    layout: Layout = {}
    for z in data.get("zones", []):
        b = z["bounds"]
        lo = (float(b["min_x"]), 0.0, float(b["min_z"]))
        hi = (float(b["max_x"]), float(b.get("height", 4.0)), float(b["max_z"]))
        spawn_xz = z.get("spawn") or ((lo[0] + hi[0]) / 2, (lo[2] + hi[2]) / 2)
        spawn = (float(spawn_xz[0]), 0.0, float(spawn_xz[1]))
        zone = Zone(min=lo, max=hi, spawn=spawn, capacity=z.get("capacity"))
        check_zone(z["name"], zone)
        layout[str(z["name"])] = zone
    return layout


# Where a brand's layout comes from (the app plugs in the brands domain): the stored
# layout data of a brand, or None when there is no such brand.
LayoutSource = Callable[[str], Awaitable[dict[str, Any] | None]]


class LayoutRegistry:
    """Zones per brand: set explicitly, loaded from a source (cached), else the default."""

    def __init__(
        self, default: Layout | None = None, *, source: LayoutSource | None = None,
        ttl_s: float = 30.0,
    ) -> None:  # fmt: skip
        self.default: Layout = dict(default or DEFAULT_LAYOUT)
        self._brands: dict[str, Layout] = {}
        self._source = source
        self._ttl_s = ttl_s
        self._loaded: dict[str, tuple[float, Layout | None]] = {}
        # Private zones (training rooms), each a copy of a real zone under its own name.
        self._private: dict[tuple[str, str], Zone] = {}

    def add_private(self, brand: str, name: str, zone: Zone) -> None:
        check_zone(name, zone)
        self._private[brand, name] = zone

    def remove_private(self, brand: str, name: str) -> None:
        self._private.pop((brand, name), None)

    def set_brand(self, brand: str, layout: Layout) -> None:
        for name, zone in layout.items():
            check_zone(name, zone)
        self._brands[brand] = dict(layout)

    async def refresh(self, brand: str) -> None:
        """Load the brand's layout from the source unless a recent copy is cached."""
        if self._source is None or brand in self._brands:
            return
        cached = self._loaded.get(brand)
        if cached is not None and time.monotonic() - cached[0] < self._ttl_s:
            return
        try:
            data = await self._source(brand)
            layout = zones_from_store_layout(data) if data is not None else None
        except Exception:
            # Keep what was cached, or nothing: a failure (the database restarting) is
            # not remembered as "no such brand", and the next join asks again.
            log.warning("world_layout_load_failed", brand=brand, exc_info=True)
            return
        self._loaded[brand] = (time.monotonic(), layout)

    def zone(self, brand: str, zone: str) -> Zone | None:
        private = self._private.get((brand, zone))
        if private is not None:
            return private
        explicit = self._brands.get(brand)
        if explicit is not None:
            return explicit.get(zone)
        if self._source is not None:
            cached = self._loaded.get(brand)
            layout = cached[1] if cached is not None else None
            # A source that knows the brand wins; an unknown brand has no zones.
            return layout.get(zone) if layout is not None else None
        return self.default.get(zone)
