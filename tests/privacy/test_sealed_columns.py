"""Every column that sounds personal is sealed per subject, or declared not personal.

A new column named like a personal value (an email, a phone, a name, a message body, a
note, an address...) fails here until its domain's personal_data.py either seals it with
`sealing.seal_columns(...)` or says why it holds no customer's data with
`sealing.not_personal(...)` (see docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, MetaData, String, Table

import vitrina.migrations.metadata  # noqa: F401 - loads every domain's tables
from vitrina.core import sealing
from vitrina.core.db import Base
from vitrina.privacy import registry

# Parts of a column name that say it may hold a person's data.
PERSONAL_WORDS = frozenset(
    {
        "address",
        "body",
        "comment",
        "contact",
        "data",
        "description",
        "email",
        "error",
        "identifier",
        "ip",
        "name",
        "note",
        "notes",
        "number",
        "payload",
        "phone",
        "reason",
        "registration",
        "slots",
        "subject",
        "summary",
        "text",
        "value",
        "vin",
        "wallet",
    }
)


def sounds_personal(column: str) -> bool:
    return any(part in PERSONAL_WORDS for part in column.split("_"))


def undeclared(tables: Iterable[Table] | None = None) -> dict[str, list[str]]:
    registry.discover()
    sealed = sealing.sealed_tables()
    clear = sealing.not_personal_columns()
    missing: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables if tables is None else tables:
        decl = sealed.get(table.name)
        declared = set(clear.get(table.name, {}))
        if decl is not None:
            declared |= set(decl.columns) | {b.column for b in decl.blind.values()}
        found = [
            c.name for c in table.columns if sounds_personal(c.name) and c.name not in declared
        ]
        if found:
            missing[table.name] = found
    return missing


def test_every_personal_sounding_column_is_sealed_or_declared_not_personal() -> None:
    missing = undeclared()
    assert not missing, (
        "columns that sound personal, neither sealed nor declared not personal "
        f"(see sealing.seal_columns / sealing.not_personal in personal_data.py): {missing}"
    )


def test_declarations_name_real_columns() -> None:
    registry.discover()
    real = {t.name: set(t.c.keys()) for t in Base.metadata.sorted_tables}
    for table, columns in sealing.not_personal_columns().items():
        assert table in real, table
        assert set(columns) <= real[table], (table, set(columns) - real[table])
    for table, decl in sealing.sealed_tables().items():
        assert sealing.SUBJECT_COLUMN in real[table], table
        assert set(decl.columns) <= real[table]


def test_the_main_personal_columns_are_sealed() -> None:
    registry.discover()
    sealed = {t: set(d.columns) for t, d in sealing.sealed_tables().items()}
    for table, column in [
        ("crm_profile", "display_name"),
        ("crm_identity", "value"),
        ("crm_note", "body"),
        ("crm_timeline", "summary"),
        ("conversation", "customer_name"),
        ("conversation", "customer_email"),
        ("conversation_message", "body"),
        ("scheduling_appointment", "customer_email"),
        ("scheduling_appointment", "notes"),
        ("guest_session", "display_name"),
        ("customer_challenge", "subject"),
        ("customer_verification", "identifier"),
        ("bot_conversation", "slots"),
    ]:
        assert column in sealed.get(table, set()), f"{table}.{column} is not sealed"
    blind = sealing.sealed_tables()["crm_identity"].blind
    assert blind["value"].column == "value_hash"


def test_a_new_personal_column_fails_until_declared() -> None:
    """The check itself: a table some domain adds tomorrow is caught, then accepted once
    declared."""
    loyalty = Table(
        "loyalty_card",
        MetaData(),
        Column("id", String(36), primary_key=True),
        Column("holder_phone", String(32)),
        Column("tier", String(16)),
    )
    tables = [*Base.metadata.sorted_tables, loyalty]
    assert undeclared(tables) == {"loyalty_card": ["holder_phone"]}
    try:
        sealing.not_personal("loyalty_card", holder_phone="(test) a shop's own phone")
        assert undeclared(tables) == {}
    finally:
        sealing._NOT_PERSONAL.pop("loyalty_card", None)
    assert undeclared(tables) == {"loyalty_card": ["holder_phone"]}
