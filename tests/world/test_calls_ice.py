"""STUN/TURN servers for voice calls come from the settings and reach clients in `welcome`."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from tests.world.conftest import make_settings, open_client, run_node
from vitrina.core.broker import InProcessBroker
from vitrina.core.events import EventBus
from vitrina.world.hub import WorldHub

TURN = {"urls": ["turn:turn.example.org:3478"], "username": "vitrina", "credential": "s3cret"}


async def test_welcome_names_the_configured_ice_servers(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, world_ice_servers=[{"urls": ["stun:stun.example.org:3478"]}, TURN]
    )
    async with run_node(settings) as node, open_client(node.url) as c:
        welcome = await c.join()
        assert welcome["ice"] == [{"urls": ["stun:stun.example.org:3478"]}, TURN]


async def test_without_ice_servers_welcome_carries_none(tmp_path: Path) -> None:
    async with run_node(make_settings(tmp_path)) as node, open_client(node.url) as c:
        assert "ice" not in await c.join()


def test_a_malformed_ice_setting_stops_the_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, world_ice_servers=[{"url": "stun:typo.example.org"}])
    with pytest.raises(msgspec.ValidationError):
        WorldHub(settings, InProcessBroker(), EventBus())
