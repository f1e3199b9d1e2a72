"""Training fixtures: the bot's model reads trainees' replies; its encoder and the brand
model are cached once per run (each test has its own data directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from vitrina.bot.service import Runtime
from vitrina.training.nlu import BotReader
from vitrina.training.service import shipped_sources

BRAND = "aurora-motors"


@pytest.fixture(scope="package", autouse=True)
def training_environment(bot_cache: Path) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VITRINA_BOT_CACHE_DIR", str(bot_cache))
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield bot_cache


@pytest.fixture(scope="session")
def reader(bot_cache: Path) -> BotReader:
    from vitrina.bot.content import CONTENT_ROOT

    return BotReader(Runtime(cache_dir=bot_cache, content_dir=CONTENT_ROOT))


@pytest.fixture(scope="session")
def late_delivery_source() -> str:
    return shipped_sources(BRAND)["late-delivery"]


@pytest.fixture(scope="session")
def financing_source() -> str:
    return shipped_sources(BRAND)["financing-question"]


@pytest.fixture
def app_reader(app: FastAPI, reader: BotReader) -> BotReader:
    """The app's reader, holding the run's brand model instead of loading its own: the
    same model, read from the same cache, built once per run rather than once per app."""
    found = app.components.get(BotReader)  # type: ignore[attr-defined]
    found.runtime = reader.runtime
    return found
