"""Zone layouts: defaults, the brands' stored layouts through a source, explicit ones."""

from __future__ import annotations

from typing import Any

import pytest

from vitrina.world.layout import DEFAULT_LAYOUT, LayoutRegistry, Zone, zones_from_store_layout

STORE = {
    "zones": [
        {"name": "entrance", "bounds": {"min_x": -8, "min_z": 10, "max_x": 8, "max_z": 22,
                                        "height": 5}, "capacity": 30, "spawn": [0, 19]},
        {"name": "lounge", "bounds": {"min_x": 20, "min_z": -20, "max_x": 34, "max_z": 0}},
    ]
}  # fmt: skip


def test_store_layout_becomes_zones() -> None:
    zones = zones_from_store_layout(STORE)
    assert zones["entrance"] == Zone(
        min=(-8.0, 0.0, 10.0), max=(8.0, 5.0, 22.0), spawn=(0.0, 0.0, 19.0), capacity=30
    )
    assert zones["lounge"].spawn == (27.0, 0.0, -10.0)  # the centre when no spawn is given
    assert zones["lounge"].max[1] == 4.0


def test_a_spawn_outside_its_zone_is_refused() -> None:
    bad = {"zones": [{"name": "x", "bounds": {"min_x": 0, "min_z": 0, "max_x": 1, "max_z": 1},
                      "spawn": [5, 5]}]}  # fmt: skip
    with pytest.raises(ValueError, match="spawn"):
        zones_from_store_layout(bad)


async def test_source_is_cached_and_unknown_brands_have_no_zones() -> None:
    calls: list[str] = []

    async def source(slug: str) -> dict[str, Any] | None:
        calls.append(slug)
        return STORE if slug == "aurora" else None

    reg = LayoutRegistry(source=source)
    await reg.refresh("aurora")
    await reg.refresh("aurora")
    assert calls == ["aurora"]
    assert reg.zone("aurora", "entrance") is not None
    assert reg.zone("aurora", "showroom") is None
    await reg.refresh("ghost")
    assert reg.zone("ghost", "entrance") is None


async def test_a_failing_source_keeps_the_last_good_layout() -> None:
    fail = False

    async def source(slug: str) -> dict[str, Any] | None:
        if fail:
            raise ConnectionError("database down")
        return STORE

    reg = LayoutRegistry(source=source, ttl_s=0.0)
    await reg.refresh("aurora")
    fail = True
    await reg.refresh("aurora")
    assert reg.zone("aurora", "entrance") is not None


async def test_a_failed_first_load_is_not_remembered_as_an_unknown_brand() -> None:
    """A node that starts while the database is down finds the brand once it is back,
    not after the cache's lifetime."""
    fail = True

    async def source(slug: str) -> dict[str, Any] | None:
        if fail:
            raise ConnectionError("database down")
        return STORE

    reg = LayoutRegistry(source=source, ttl_s=30.0)
    await reg.refresh("aurora")
    assert reg.zone("aurora", "entrance") is None
    fail = False
    await reg.refresh("aurora")
    assert reg.zone("aurora", "entrance") is not None


def test_without_a_source_every_brand_has_the_default_zones() -> None:
    reg = LayoutRegistry()
    assert reg.zone("anyone", "showroom") == DEFAULT_LAYOUT["showroom"]
    reg.set_brand("special", {"hall": DEFAULT_LAYOUT["lounge"]})
    assert reg.zone("special", "showroom") is None
    assert reg.zone("special", "hall") == DEFAULT_LAYOUT["lounge"]
