"""Database errors end up in logs (tracebacks, conflict lines): they name what failed, not
the values the statement carried."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import make_staff
from vitrina.identity.models import StaffUser


async def test_a_failed_statement_names_the_table_but_not_the_values(db: AsyncSession) -> None:
    await make_staff(db, email="mia.rossi@example.com", name="Mia Rossi")
    db.add(
        StaffUser(
            email="mia.rossi@example.com",
            display_name="Mia Rossi",
            password_hash="not-a-hash",
            roles=["agent"],
            brand_slugs=[],
        )
    )
    with pytest.raises(IntegrityError) as failed:
        await db.flush()
    await db.rollback()
    text = str(failed.value)
    assert "staff_user" in text
    assert "SQL parameters hidden" in text
    assert "Mia Rossi" not in text and "not-a-hash" not in text
