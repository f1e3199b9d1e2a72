"""Every table that points at a person is covered by a personal-data registration.

A new table with a subject, customer or profile column fails here until its domain adds
a `personal_data.py` that exports, erases and retains it (see docs/privacy.md).
"""

from __future__ import annotations

import vitrina.migrations.metadata  # noqa: F401 - loads every domain's tables
from vitrina.core.db import Base
from vitrina.privacy import registry
from vitrina.privacy.subjects import SUBJECT_COLUMNS


def tables_pointing_at_people() -> dict[str, list[str]]:
    found = {}
    for table in Base.metadata.sorted_tables:
        columns = [c.name for c in table.columns if c.name in SUBJECT_COLUMNS]
        if columns:
            found[table.name] = columns
    return found


def test_every_table_with_a_person_reference_is_registered() -> None:
    covered = registry.covered_tables()
    missing = {t: cols for t, cols in tables_pointing_at_people().items() if t not in covered}
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
