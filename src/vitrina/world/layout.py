"""Zone layouts: which rooms a brand's storefront has and the box each one spans.

A layout is data. Until the brands domain stores one per brand, every brand gets
`DEFAULT_LAYOUT`; `LayoutRegistry.set_brand` (through `world.service`) or a JSON file
named by `VITRINA_WORLD_LAYOUT_FILE` replaces it.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from vitrina.world.protocol import Vec3


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


class LayoutRegistry:
    def __init__(self, default: Layout | None = None) -> None:
        self.default: Layout = dict(default or DEFAULT_LAYOUT)
        self._brands: dict[str, Layout] = {}

    def set_brand(self, brand: str, layout: Layout) -> None:
        for name, zone in layout.items():
            check_zone(name, zone)
        self._brands[brand] = dict(layout)

    def zone(self, brand: str, zone: str) -> Zone | None:
        return self._brands.get(brand, self.default).get(zone)
