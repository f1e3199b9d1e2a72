"""Bulk writes of accepted signals, handed straight to the database driver.

At tens of thousands of events per second the per-row parameter processing of the ORM
and of Core statements costs more than the consent gate itself, so accepted rows go to
the driver as tuples through one prepared statement per table. Times are written the
way the UTCDateTime column type writes them: UTC, and on SQLite as its text format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

EVENT_COLUMNS = ("id", "brand_id", "subject", "kind", "product", "part", "occurred_at")
DWELL_COLUMNS = (
    "id",
    "brand_id",
    "subject",
    "product",
    "part",
    "bucket_start",
    "total_ms",
    "samples",
    "last_at",
)
_DWELL_KEY = "brand_id, subject, product, part, bucket_start"


def _sqlite_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _dialect(db: AsyncSession) -> tuple[Callable[[int], str], Callable[[datetime], Any], str]:
    """(placeholder for parameter n, time conversion, greatest-of-two function)."""
    if db.get_bind().dialect.name == "postgresql":
        return (lambda n: f"${n}"), _utc, "GREATEST"
    return (lambda n: "?"), _sqlite_time, "max"


def _values(placeholder: Callable[[int], str], count: int) -> str:
    return ", ".join(placeholder(i + 1) for i in range(count))


def _memo(to_db: Callable[[datetime], Any]) -> Callable[[datetime], Any]:
    """`to_db` remembered for one batch: its events share a handful of timestamps and
    hour buckets, and formatting each one again cost more than the gate itself."""
    seen: dict[datetime, Any] = {}

    def convert(at: datetime) -> Any:
        value = seen.get(at)
        if value is None:
            value = seen[at] = to_db(at)
        return value

    return convert


async def insert_events(db: AsyncSession, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows in EVENT_COLUMNS order, the last one an aware datetime."""
    placeholder, to_db, _ = _dialect(db)
    sql = (
        f"INSERT INTO insights_event ({', '.join(EVENT_COLUMNS)}) "  # noqa: S608 - constants only
        f"VALUES ({_values(placeholder, len(EVENT_COLUMNS))})"
    )
    conn = await db.connection()
    convert = _memo(to_db)
    await conn.exec_driver_sql(sql, [(*r[:-1], convert(r[-1])) for r in rows])


async def add_dwell(db: AsyncSession, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows in DWELL_COLUMNS order; time is added to existing hour buckets.

    Keys are unique within one call, so ON CONFLICT never meets the same row twice.
    """
    placeholder, to_db, greatest = _dialect(db)
    sql = (
        f"INSERT INTO insights_dwell ({', '.join(DWELL_COLUMNS)}) "  # noqa: S608 - constants only
        f"VALUES ({_values(placeholder, len(DWELL_COLUMNS))}) "
        f"ON CONFLICT ({_DWELL_KEY}) DO UPDATE SET "
        "total_ms = insights_dwell.total_ms + excluded.total_ms, "
        "samples = insights_dwell.samples + excluded.samples, "
        f"last_at = {greatest}(insights_dwell.last_at, excluded.last_at)"
    )
    conn = await db.connection()
    convert = _memo(to_db)
    await conn.exec_driver_sql(
        sql,
        [
            (i, b, s, p, part, convert(bucket), t, n, convert(last))
            for i, b, s, p, part, bucket, t, n, last in rows
        ],
    )
