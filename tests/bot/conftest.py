"""Bot fixtures: the bot answers in these tests (and only in these: the environment is
restored after the package's last test), and its encoder and brand models are cached
once per run instead of once per test (each test has its own data directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vitrina.bot.content import CONTENT_ROOT, BrandContent, load_folder


@pytest.fixture(scope="package", autouse=True)
def bot_environment(bot_cache: Path) -> Iterator[Path]:
    cache = bot_cache
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VITRINA_BOT_ENABLED", "true")
        patch.setenv("VITRINA_BOT_CACHE_DIR", str(cache))
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield cache


@pytest.fixture(scope="session")
def aurora() -> BrandContent:
    return load_folder(CONTENT_ROOT / "aurora-motors")
