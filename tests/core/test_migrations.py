"""Migrations go up and down on each backend, and the models need no new migration."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from vitrina.core.db import create_engine
from vitrina.migrations import runner
from vitrina.migrations.metadata import target_metadata


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    base = os.environ.get("VITRINA_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("VITRINA_TEST_POSTGRES_URL is not set")
    import asyncpg

    name = f"vitrina_mig_{uuid.uuid4().hex[:8]}"
    dsn = base.replace("postgresql+asyncpg://", "postgresql://")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                from sqlalchemy import inspect

                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda c: compare_metadata(
                        MigrationContext.configure(c, opts={"compare_type": True}), target_metadata
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_one_head() -> None:
    heads = ScriptDirectory(str(Path(runner.__file__).parent)).get_heads()
    assert len(heads) == 1, f"migration history has several heads: {heads}; rebase the newest"


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    runner.upgrade(empty_database)
    tables = _tables(empty_database)
    assert {"staff_user", "staff_session", "guest_session", "brand"} <= tables
    assert _diff(empty_database) == [], "models changed without a migration"
    runner.downgrade(empty_database, "base")
    assert _tables(empty_database) <= {"alembic_version"}
    runner.upgrade(empty_database)
    assert {"staff_user", "brand"} <= _tables(empty_database)


def test_every_revision_steps_down_and_up(empty_database: str) -> None:
    script = ScriptDirectory(str(Path(runner.__file__).parent))
    revisions = [r.revision for r in script.walk_revisions()][::-1]
    for rev in revisions:
        runner.upgrade(empty_database, rev)
    for rev in reversed(revisions):
        runner.downgrade(empty_database, f"{rev}-1" if rev != revisions[0] else "base")
    runner.upgrade(empty_database)


async def test_server_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(runner.NotMigrated, match="run `vitrina migrate`"):
            await runner.ensure_migrated(engine)
    finally:
        await engine.dispose()


def test_admins_who_served_every_brand_become_super_admins(empty_database: str) -> None:
    """An installation upgraded to the super-admin role keeps its operator, and nobody else
    gains a brand: an admin with an empty brand list used to serve every brand."""
    from sqlalchemy import text

    runner.upgrade(empty_database, "5b1e7c2d9a40")
    staff = [
        ("root", '["admin", "supervisor"]', "[]"),
        ("brand-admin", '["admin"]', '["aurora-motors"]'),
        ("agent", '["agent"]', "[]"),
    ]

    async def run(sql: str, rows: list[dict[str, str]] | None = None) -> list[tuple[str, str]]:
        engine = create_engine(empty_database)
        try:
            async with engine.begin() as conn:
                if rows is not None:
                    await conn.execute(text(sql), rows)
                    return []
                result = await conn.execute(text(sql))
                return [(str(r[0]), str(r[1])) for r in result]
        finally:
            await engine.dispose()

    asyncio.run(
        run(
            "INSERT INTO staff_user (id, email, display_name, password_hash, roles, brand_slugs,"
            " is_active, created_at, updated_at) VALUES (:id, :email, :id, 'x', :roles, :brands,"
            " true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [{"id": i, "email": f"{i}@example.com", "roles": r, "brands": b} for i, r, b in staff],
        )
    )
    runner.upgrade(empty_database)
    rows = dict(asyncio.run(run("SELECT id, roles FROM staff_user")))
    assert "superadmin" in rows["root"]
    assert "superadmin" not in rows["brand-admin"]
    assert "superadmin" not in rows["agent"]
