"""Pledges: the real-world impact of virtual actions, counted on the ledger.

A brand attaches a pledge to an action ("booking.created" -> "one tree planted for each
test drive booked"), worded in English, French and Italian. Each time the action happens,
a `pledge.counted` entry is appended: facts {"pledge": id, "action": ..., "units": 1}, and,
when the person is known, a commitment to them (role "customer"). Anyone can count a
pledge's entries in the public export; a customer sees their own count.

The ledger knows no other domain's events: `PledgeCounter.on_action` is called by the
composition root (services.py), which subscribes it to the events that are actions
(scheduling's `AppointmentBooked` as "booking.created").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.core.db import transaction, utcnow
from vitrina.core.errors import AppError, NotFound
from vitrina.ledger import canonical as fmt
from vitrina.ledger import service
from vitrina.ledger.errors import LedgerErrorCode
from vitrina.ledger.models import LedgerEntry, LedgerPledge, LedgerSubjectLink

log = structlog.get_logger(__name__)

KIND = "pledge.counted"
LOCALES = ("en", "fr", "it")
# The actions the composition root reports (docs/ledger.md, "Pledges").
KNOWN_ACTIONS = ("booking.created",)


def _check_texts(texts: Mapping[str, str]) -> dict[str, str]:
    missing = [loc for loc in LOCALES if not str(texts.get(loc, "")).strip()]
    if missing:
        raise AppError(
            f"A pledge is worded in English, French and Italian (missing {', '.join(missing)}).",
            code=LedgerErrorCode.INVALID_ENTRY,
            status=422,
        )
    return {loc: str(texts[loc]).strip() for loc in LOCALES}


async def define(
    db: AsyncSession, *, brand_id: str, action: str, texts: Mapping[str, str]
) -> LedgerPledge:
    if not fmt.KIND_PATTERN.match(action) or action not in KNOWN_ACTIONS:
        raise AppError(
            f"Pledges can follow these actions: {', '.join(KNOWN_ACTIONS)}.",
            code=LedgerErrorCode.INVALID_ENTRY,
            status=422,
        )
    pledge = LedgerPledge(
        brand_id=brand_id,
        action=action,
        texts=_check_texts(texts),
        active=True,
        created_at=utcnow(),
    )
    db.add(pledge)
    await db.flush()
    return pledge


async def get(db: AsyncSession, *, brand_id: str, pledge_id: str) -> LedgerPledge:
    pledge = await db.get(LedgerPledge, pledge_id)
    if pledge is None or pledge.brand_id != brand_id:
        raise NotFound("No such pledge.", code=LedgerErrorCode.PLEDGE_NOT_FOUND)
    return pledge


async def set_active(
    db: AsyncSession, *, brand_id: str, pledge_id: str, active: bool
) -> LedgerPledge:
    pledge = await get(db, brand_id=brand_id, pledge_id=pledge_id)
    pledge.active = active
    await db.flush()
    return pledge


async def list_pledges(db: AsyncSession, *, brand_id: str) -> list[LedgerPledge]:
    rows = await db.execute(
        select(LedgerPledge)
        .where(LedgerPledge.brand_id == brand_id)
        .order_by(LedgerPledge.created_at, LedgerPledge.id)
    )
    return list(rows.scalars())


async def count_action(
    db: AsyncSession, *, brand: str, action: str, subject: str | None = None
) -> list[service.LedgerRef]:
    """Append one `pledge.counted` entry per active pledge of the brand on `action`."""
    found = await service._brand(db, brand)
    pledges = (
        await db.execute(
            select(LedgerPledge.id).where(
                LedgerPledge.brand_id == found.id,
                LedgerPledge.action == action,
                LedgerPledge.active.is_(True),
            )
        )
    ).scalars()
    refs = []
    for pledge_id in sorted(pledges):
        refs.append(
            await service.append(
                db,
                brand=brand,
                kind=KIND,
                facts={"pledge": pledge_id, "action": action, "units": 1},
                subjects={"customer": subject} if subject else None,
                tag=pledge_id,
            )
        )
    return refs


async def counts(db: AsyncSession, *, brand_id: str) -> dict[str, int]:
    await service._drain(db)
    rows = await db.execute(
        select(LedgerEntry.tag, func.count())
        .where(LedgerEntry.brand_id == brand_id, LedgerEntry.kind == KIND)
        .group_by(LedgerEntry.tag)
    )
    return {str(tag): int(n) for tag, n in rows.all()}


async def subject_counts(
    db: AsyncSession, *, brand_id: str, subjects: Iterable[str]
) -> dict[str, int]:
    """Per pledge, how many counted actions commit to any of these subjects (one person:
    their guest session and their customer account), while their salts exist."""
    await service._drain(db)
    wanted = [s for s in subjects if await service.subject_salt(db, brand_id=brand_id, subject=s)]
    if not wanted:
        return {}
    rows = await db.execute(
        select(LedgerEntry.tag, func.count(func.distinct(LedgerEntry.seq)))
        .join(
            LedgerSubjectLink,
            and_(
                LedgerSubjectLink.brand_id == LedgerEntry.brand_id,
                LedgerSubjectLink.seq == LedgerEntry.seq,
            ),
        )
        .where(
            LedgerEntry.brand_id == brand_id,
            LedgerEntry.kind == KIND,
            LedgerSubjectLink.subject.in_(wanted),
        )
        .group_by(LedgerEntry.tag)
    )
    return {str(tag): int(n) for tag, n in rows.all()}


def subject_of_booking(customer_id: str | None, customer_ref: str) -> str | None:
    """Whom a booking's pledge entry commits to: the CRM customer, else the guest."""
    if customer_id:
        return f"customer:{customer_id}"
    if customer_ref.startswith(("guest:", "customer:")):
        try:
            return service.subject_of(customer_ref)
        except AppError:
            return None
    return None


class PledgeCounter:
    """Counts actions reported by the composition root, each in its own transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def on_action(self, *, brand: str, action: str, subject: str | None) -> None:
        try:
            async with transaction(self._sessions) as db:
                refs = await count_action(db, brand=brand, action=action, subject=subject)
        except AppError as exc:
            log.warning("pledge_not_counted", brand=brand, action=action, why=exc.code)
            return
        if refs:
            log.info("pledge_counted", brand=brand, action=action, count=len(refs))


def describe(pledge: LedgerPledge, locale: str) -> dict[str, Any]:
    texts = dict(pledge.texts)
    return {
        "id": pledge.id,
        "action": pledge.action,
        "active": pledge.active,
        "locale": locale if locale in texts else "en",
        "text": texts.get(locale) or texts.get("en", ""),
        "texts": texts,
    }
