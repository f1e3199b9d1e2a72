"""Rows as the application reads them: sealed columns opened with their subject's key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import Base


def model_of(table: str) -> Any:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    raise KeyError(table)


async def opened(db: AsyncSession, table: str, where: str = "", **params: Any) -> list[str]:
    """Each row of `table` (matching the SQL condition `where`) with every column value
    as loaded through the ORM, i.e. decrypted; erased subjects' values read as empty."""
    model = model_of(table)
    query = select(model)
    if where:
        query = query.where(text(where).bindparams(**params))
    rows = (await db.execute(query.execution_options(populate_existing=True))).scalars()
    columns = [c.key for c in model.__mapper__.column_attrs]
    return [" ".join(str(getattr(row, c)) for c in columns) for row in rows]
