"""Idempotency keys for commerce writes.

A write carries `Idempotency-Key`. The first request with a key runs and its answer is
kept with a fingerprint of the request (method, path, body); a retry with the same key
and the same request gets the same answer without running again; the same key with a
different request is refused (422). Keys are per caller (a guest session or a staff
member). The record is written in the request's own transaction, so a request that fails
leaves no record and may be retried with the same key. Two requests racing with one key:
the second waits for the first's commit and then gets its answer (or, if it finds the key
claimed but not answered, is told to retry: 409).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.models import IdempotencyRecord
from vitrina.core.db import utcnow
from vitrina.core.errors import AppError, Conflict
from vitrina.core.security import Principal

KEEP_FOR = timedelta(hours=24)
_CLAIMED = "vitrina.commerce.idempotency.claimed"


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: Any


def scope_of(principal: Principal) -> str:
    if principal.kind == "guest":
        return f"guest:{principal.session_id}"
    return f"{principal.kind}:{principal.user_id or principal.session_id}"


def fingerprint(method: str, path: str, body: Any) -> str:
    text = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def require(key: str | None) -> str:
    if not key or not key.strip():
        raise AppError(
            "Send an Idempotency-Key header (a fresh random value per operation) with every "
            "commerce write, and the same one when you retry it.",
            code=CommerceErrorCode.IDEMPOTENCY_KEY_REQUIRED,
            status=428,
        )
    return key.strip()


async def begin(db: AsyncSession, *, scope: str, key: str, print_: str) -> Replay | None:
    """The kept answer for a retry, or None after claiming the key for this request.

    The claim is one statement (INSERT ... ON CONFLICT DO NOTHING RETURNING); only a key
    seen before costs a read. On PostgreSQL a request racing another with the same key
    waits at the insert for the other's commit, then replays its answer."""
    for _ in range(2):
        claimed = await _claim(db, scope=scope, key=key, print_=print_)
        if claimed is not None:
            db.info.setdefault(_CLAIMED, {})[(scope, key)] = claimed
            return None
        row = await db.get(IdempotencyRecord, (scope, key), populate_existing=True)
        if row is None:
            break
        if row.created_at < utcnow() - KEEP_FOR:
            await db.delete(row)
            await db.flush()
            continue
        if row.fingerprint != print_:
            raise AppError(
                "This Idempotency-Key was used for a different request; use a new key.",
                code=CommerceErrorCode.IDEMPOTENCY_KEY_REUSED,
                status=422,
            )
        if row.status_code == 0:
            break
        return Replay(row.status_code, row.response.get("body"))
    raise Conflict(
        "A request with this Idempotency-Key is being processed; retry shortly.",
        code=CommerceErrorCode.IDEMPOTENCY_IN_PROGRESS,
    )


async def _claim(
    db: AsyncSession, *, scope: str, key: str, print_: str
) -> IdempotencyRecord | None:
    """The new record of this key, or None when the key has one already."""
    now = utcnow()
    values = {
        "scope": scope,
        "key": key,
        "fingerprint": print_,
        "status_code": 0,
        "response": {},
        "created_at": now,
        "sealed_for": None,
    }
    make = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    done = await db.execute(
        make(IdempotencyRecord)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.scope)
    )
    if done.first() is None:
        return None
    # The row as the session knows it, so that `finish` writes the answer as an UPDATE.
    row = IdempotencyRecord(**values)
    make_transient_to_detached(row)
    db.add(row)
    return row


async def finish(db: AsyncSession, *, scope: str, key: str, status_code: int, body: Any) -> None:
    # The row this request claimed (reading it again would cost a query).
    row = db.info.get(_CLAIMED, {}).pop((scope, key), None)
    if row is None:
        row = await db.get(IdempotencyRecord, (scope, key))
    if row is not None:
        row.status_code = status_code
        row.response = {"body": body}
        await db.flush()


async def purge_expired(db: AsyncSession) -> int:
    result = await db.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR)
    )
    return int(getattr(result, "rowcount", 0))


async def records_of(db: AsyncSession, *, scope: str) -> list[IdempotencyRecord]:
    rows = await db.execute(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope))
    return list(rows.scalars())
