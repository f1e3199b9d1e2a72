"""Sealing the plaintext an installation stored before its personal columns were sealed.

`vitrina privacy encrypt-existing` walks every declared table (core.sealing) in primary-key
order, a batch per transaction: each row that has no `sealed_for` yet is marked changed
and flushed, so the same code that seals new rows seals it (and fills its blind indexes).
A batch that committed stays sealed; an interrupted run is resumed by running the command
again, which takes up the rows still without `sealed_for`. The server may run meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from vitrina.core import sealing
from vitrina.core.crypto import is_token
from vitrina.core.db import transaction
from vitrina.privacy import registry

# (table, rows done in this batch) after each committed batch.
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class TableWork:
    table: str
    pending: int


async def pending(sessions: async_sessionmaker[AsyncSession]) -> list[TableWork]:
    """How many rows of each sealed table have not been sealed yet (an upper bound: rows
    whose personal columns are all empty, or that hold no one's data, stay unmarked)."""
    registry.discover()
    out = []
    async with sessions() as db:
        for table, decl in sorted(sealing.sealed_tables().items()):
            column: ColumnElement[str | None] = inspect(decl.model).columns[sealing.SUBJECT_COLUMN]
            count = await db.scalar(select(func.count()).where(column.is_(None)))
            out.append(TableWork(table, int(count or 0)))
    return out


async def seal_existing(
    sessions: async_sessionmaker[AsyncSession],
    *,
    batch: int = 2000,
    progress: Progress | None = None,
    tables: list[str] | None = None,
) -> dict[str, int]:
    """Seal every row still in plaintext; returns the rows sealed per table."""
    registry.discover()
    done: dict[str, int] = {}
    for table, decl in sorted(sealing.sealed_tables().items()):
        if tables is not None and table not in tables:
            continue
        done[table] = await _seal_table(sessions, decl, batch, progress)
    return done


def _rewrite(
    session: Session, rewrite: Callable[[Any, Callable[[str], str]], None], rows: list[Any]
) -> None:
    def blind(value: str) -> str:
        return sealing.blind_sync(session, value)

    for row in rows:
        rewrite(row, blind)


async def _seal_table(
    sessions: async_sessionmaker[AsyncSession],
    decl: sealing.SealedTable,
    batch: int,
    progress: Progress | None,
) -> int:
    model: Any = decl.model
    pk = inspect(model).primary_key[0]
    unsealed = inspect(model).columns[sealing.SUBJECT_COLUMN].is_(None)
    last: Any = None
    sealed = 0
    while True:
        async with transaction(sessions) as db:
            query = select(model).where(unsealed)
            if last is not None:
                query = query.where(pk > last)
            rows = list((await db.execute(query.order_by(pk).limit(batch))).scalars())
            if not rows:
                return sealed
            if decl.rewrite is not None:
                await db.run_sync(_rewrite, decl.rewrite, rows)
            for row in rows:
                for column in decl.columns:
                    value = getattr(row, column)
                    if not sealing.is_empty(value) and not is_token(value):
                        flag_modified(row, column)
            await db.flush()
            sealed += sum(1 for row in rows if getattr(row, sealing.SUBJECT_COLUMN))
            last = getattr(rows[-1], pk.key)
        if progress is not None:
            progress(decl.table, len(rows))
