"""Every table that points at a person is covered by a personal-data registration.

A new table with a subject, customer or profile column fails here until its domain adds
a `personal_data.py` that exports, erases and retains it (see docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, MetaData, String, Table

import vitrina.migrations.metadata  # noqa: F401 - loads every domain's tables
from vitrina.core.db import Base
from vitrina.privacy import registry
from vitrina.privacy.subjects import SUBJECT_COLUMNS


def tables_pointing_at_people(tables: Iterable[Table] | None = None) -> dict[str, list[str]]:
    found = {}
    for table in Base.metadata.sorted_tables if tables is None else tables:
        columns = [c.name for c in table.columns if c.name in SUBJECT_COLUMNS]
        if columns:
            found[table.name] = columns
    return found


def unregistered(tables: Iterable[Table] | None = None) -> dict[str, list[str]]:
    covered = registry.covered_tables()
    return {t: cols for t, cols in tables_pointing_at_people(tables).items() if t not in covered}


def test_every_table_with_a_person_reference_is_registered() -> None:
    missing = unregistered()
    assert not missing, (
        "tables holding a person reference without a personal-data registration "
        f"(add <domain>/personal_data.py): {missing}"
    )


def test_registrations_name_real_tables() -> None:
    real = set(Base.metadata.tables)
    unknown = registry.covered_tables() - real
    assert not unknown, f"registrations cover tables that do not exist: {unknown}"


def test_the_walk_sees_our_own_tables() -> None:
    found = tables_pointing_at_people()
    for table in ("privacy_consent_record", "insights_dwell", "insights_event"):
        assert table in found


def test_a_new_table_with_a_customer_reference_fails_until_registered() -> None:
    """The check itself: a table some domain adds tomorrow is caught, then accepted once a
    source names it."""
    loyalty = Table(
        "loyalty_points",
        MetaData(),
        Column("id", String(36), primary_key=True),
        Column("customer_id", String(36)),
    )
    tables = [*Base.metadata.sorted_tables, loyalty]
    assert unregistered(tables) == {"loyalty_points": ["customer_id"]}

    async def nothing(*_: object) -> list[registry.Row]:
        return []

    async def none(*_: object) -> int:
        return 0

    try:
        registry.register(
            registry.PersonalDataSource(
                name="loyalty.points", tables=["loyalty_points"], export=nothing, erase=none
            )
        )
        assert unregistered(tables) == {}
    finally:
        registry.unregister("loyalty.points")
    assert unregistered(tables) == {"loyalty_points": ["customer_id"]}
