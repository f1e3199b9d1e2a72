"""Shared fixtures: a migrated database per backend, the app with its lifespan, HTTP clients.

Every test that takes `app` or `db` runs once on SQLite and once on PostgreSQL (the latter
when VITRINA_TEST_POSTGRES_URL points at a server; `make test` starts a throwaway one).
Tables are emptied after each test, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.app import create_app
from vitrina.core.config import Settings
from vitrina.core.db import Base, create_sessionmaker
from vitrina.migrations import runner
from vitrina.services import services_of

pytest_plugins = ["tests.smtp"]

POSTGRES_URL = os.environ.get("VITRINA_TEST_POSTGRES_URL")  # postgresql+asyncpg://user@host:port/db
REDIS_URL = os.environ.get("VITRINA_TEST_REDIS_URL")


# Tests that share something outside their own process run on one pytest-xdist worker:
# the bot's models (built once, a minute of CPU, for the bot's and training's tests alike)
# and Redis's pub/sub channels, which no database number separates.
_WORKER_GROUPS = {
    "tests/bot/": "bot-models",
    "tests/training/": "bot-models",
    "tests/core/test_broker.py": "redis",
    "tests/world/test_nodes.py": "redis",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent.parent
    for item in items:
        where = item.path.resolve().relative_to(root).as_posix()
        for prefix, group in _WORKER_GROUPS.items():
            if where.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))
                break


@pytest.fixture(scope="session")
def bot_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bot's exported encoder and brand models, built by the first test that needs them."""
    return tmp_path_factory.mktemp("bot-cache")


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at its minimum cost: the suite signs people in thousands of times, and the
    product's parameters (64 MiB, three passes) are not what these tests check."""
    from argon2 import PasswordHasher

    from vitrina.identity import passwords

    real = passwords._hasher, passwords._DUMMY_HASH
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._hasher, passwords._DUMMY_HASH = cheap, cheap.hash("vitrina-timing-equaliser")
    yield
    passwords._hasher, passwords._DUMMY_HASH = real


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run."""
    if not POSTGRES_URL:
        pytest.skip("VITRINA_TEST_POSTGRES_URL is not set (make test starts PostgreSQL)")
    import asyncio

    import asyncpg

    base = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"vitrina_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    runner.upgrade(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    runner.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each test's own copy of the migrated database: a connection some background work of
    an earlier test still holds (and its write lock) cannot reach this one."""
    import sqlite3

    path = tmp_path_factory.mktemp("db") / "vitrina.db"
    source, target = sqlite3.connect(sqlite_template), sqlite3.connect(path)
    try:
        source.backup(target)  # consistent, write-ahead log included
    finally:
        source.close()
        target.close()
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    url: str = request.getfixturevalue(f"{request.param}_database")
    yield url
    if request.param == "postgres":
        _truncate_all(url)


def _truncate_all(url: str) -> None:
    """Empty every table of the PostgreSQL test database that a test wrote to: one query finds
    them, and only those are truncated (truncating all of them costs about 0.1 s a test)."""
    import asyncio

    import asyncpg

    tables = [t.name for t in Base.metadata.sorted_tables]
    probe = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")"  # noqa: S608 (table names from our metadata)
        for name in tables
    )

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            written = [row[0] for row in await conn.fetch(probe)]
            if written:
                quoted = ", ".join(f'"{name}"' for name in written)
                await conn.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=None,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        log_json=False,
        log_level="WARNING",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def db(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session on the app's database; commit explicitly to make rows visible to requests."""
    async with services_of(app).sessions() as session:
        yield session


@pytest.fixture
def engine_url(settings: Settings) -> str:
    return settings.resolved_database_url


__all__ = ["REDIS_URL", "create_sessionmaker"]
