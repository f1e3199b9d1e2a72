"""The composition root starts every part in order and, when a step fails, stops what
had started before it."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from vitrina import services
from vitrina.conversations.channels.widget import CustomerHub
from vitrina.core.components import Components, NotStarted
from vitrina.core.config import Settings
from vitrina.routing.console import ConsoleHub
from vitrina.scheduling.worker import NotificationWorker
from vitrina.world.hub import WorldHub


def _running_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if not t.done()}


async def test_a_failed_step_stops_what_started_before_it(settings: Settings) -> None:
    before = _running_tasks()
    components = Components()
    with socket.socket() as busy:
        # The inbound SMTP server starts late (with the channels): its port is taken.
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        failing = settings.model_copy(update={"inbound_smtp_listen": f"127.0.0.1:{port}"})
        with pytest.raises(OSError, match="address already in use"):
            async with services.start(failing, components):
                pytest.fail("started with the SMTP port taken")
    # The parts before the failing step had started...
    assert components.find(WorldHub) is not None
    assert components.find(NotificationWorker) is not None
    # ...the ones after it never did...
    assert components.find(CustomerHub) is None
    assert components.find(ConsoleHub) is None
    with pytest.raises(NotStarted):
        components.get(services.Services)
    # ...and nothing they ran is left running: no world tick, no worker, no sender.
    assert _running_tasks() == before
    # What they held (database, broker) is free again: a start with the same database works.
    async with services.start(settings) as started:
        assert started.world_hub is not components.get(WorldHub)
        assert started.console_hub is not None
    assert _running_tasks() == before


async def test_the_app_reaches_what_started_through_its_components(settings: Settings) -> None:
    from vitrina.app import create_app

    app = create_app(settings)
    with pytest.raises(NotStarted):
        services.services_of(app)
    async with app.router.lifespan_context(app):
        running = services.services_of(app)
        assert app.components.get(ConsoleHub) is running.console_hub
        assert app.components.get(WorldHub) is running.world_hub
    with pytest.raises(NotStarted):
        services.services_of(app)


def test_only_the_composition_root_starts_anything() -> None:
    """Route modules define no start-up hooks and nothing reads untyped app state: parts
    are started by vitrina.services and reached through typed accessors."""
    package = Path(services.__file__).parent
    # The world's standalone socket server (benchmarks, world tests) is an app of its own.
    own_apps = {package / "app.py", package / "world" / "standalone.py"}
    offenders = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path not in own_apps
        and any(word in path.read_text(encoding="utf-8") for word in _STARTERS)
    ]
    assert offenders == []


_STARTERS = (
    "lifespan=",
    "def lifespan",
    "lifespan_context",
    "app.state",
    "on_startup",
    "add_event_handler",
)
