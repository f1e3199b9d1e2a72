"""Consent purposes, texts and records; the staff access audit; brand visibility.

Other domains ask `consent_in_force(db, brand_id=..., subject=..., purpose=...)` before
using optional data, and `record_access(...)` whenever staff read a person's data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.brands.models import Brand
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import AppError, Conflict, Forbidden
from vitrina.core.events import DomainEvent, EventBus
from vitrina.core.security import Principal
from vitrina.privacy import keys
from vitrina.privacy import subjects as subjects_mod
from vitrina.privacy.audit import list_access, record_access, record_reads
from vitrina.privacy.book import ConsentBook
from vitrina.privacy.errors import PrivacyErrorCode
from vitrina.privacy.models import ConsentRecord, ConsentText, Tombstone
from vitrina.privacy.texts import DEFAULT_TEXTS, Purpose

encrypt_for = keys.encrypt_for
decrypt_for = keys.decrypt_for
__all__ = [
    "ConsentBook",
    "decrypt_for",
    "encrypt_for",
    "list_access",
    "record_access",
    "record_reads",
]


class ConsentChanged(DomainEvent):
    """A subject granted or withdrew a purpose; trackers must follow at once."""

    type = "privacy.consent_changed"
    brand_id: str
    subject: str
    purpose: str
    granted: bool


@dataclass(frozen=True, slots=True)
class ConsentStatus:
    purpose: Purpose
    granted: bool
    in_force: bool
    text_version: int | None
    current_version: int
    recorded_at: datetime | None


def parse_purpose(value: str) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        raise AppError(
            f"Unknown purpose {value!r}.", code=PrivacyErrorCode.UNKNOWN_PURPOSE
        ) from None


# --- brand visibility -------------------------------------------------------------------


def visible_brand_slugs(principal: Principal) -> frozenset[str] | None:
    """None means every brand (super-admin). Otherwise the staff's brands."""
    return principal.visible_brands()


async def brand_for_staff(db: AsyncSession, *, principal: Principal, slug: str) -> Brand:
    visible = visible_brand_slugs(principal)
    if visible is not None and slug not in visible:
        raise Forbidden(f"You do not serve brand {slug!r}.", code=PrivacyErrorCode.BRAND_NOT_SERVED)
    return await brands.get_by_slug_or_raise(db, slug=slug)


async def visible_brand_ids(db: AsyncSession, *, principal: Principal) -> set[str] | None:
    visible = visible_brand_slugs(principal)
    if visible is None:
        return None
    return {b.id for b in await brands.list_brands(db) if b.slug in visible}


# --- texts --------------------------------------------------------------------------------


async def ensure_texts(db: AsyncSession, *, brand_id: str) -> None:
    """Publish the default wording (version 1) of every purpose the brand has none for."""
    have = set(
        (
            await db.execute(
                select(ConsentText.purpose).where(ConsentText.brand_id == brand_id).distinct()
            )
        ).scalars()
    )
    now = utcnow()
    for purpose, texts in DEFAULT_TEXTS.items():
        if purpose not in have:
            db.add(
                ConsentText(
                    id=new_id(),
                    brand_id=brand_id,
                    purpose=purpose,
                    version=1,
                    texts=texts,
                    published_at=now,
                    published_by="default",
                )
            )
    await db.flush()


async def current_texts(db: AsyncSession, *, brand_id: str) -> dict[Purpose, ConsentText]:
    """The latest version of each purpose; unpublished purposes show the default wording."""
    rows = (
        await db.execute(
            select(ConsentText)
            .where(ConsentText.brand_id == brand_id)
            .order_by(ConsentText.purpose, ConsentText.version)
        )
    ).scalars()
    latest: dict[Purpose, ConsentText] = {}
    for row in rows:
        latest[Purpose(row.purpose)] = row
    for purpose, texts in DEFAULT_TEXTS.items():
        if purpose not in latest:
            latest[purpose] = ConsentText(
                brand_id=brand_id,
                purpose=purpose,
                version=1,
                texts=texts,
                requires_reconsent=False,
                published_at=utcnow(),
                published_by="default",
            )
    return latest


async def publish_text(
    db: AsyncSession,
    *,
    brand_id: str,
    purpose: Purpose,
    texts: Mapping[str, Mapping[str, str]],
    requires_reconsent: bool,
    published_by: str,
) -> ConsentText:
    await ensure_texts(db, brand_id=brand_id)
    latest = (
        await db.execute(
            select(func.max(ConsentText.version)).where(
                ConsentText.brand_id == brand_id, ConsentText.purpose == purpose
            )
        )
    ).scalar_one()
    text = ConsentText(
        id=new_id(),
        brand_id=brand_id,
        purpose=purpose,
        version=(latest or 0) + 1,
        texts={k: dict(v) for k, v in texts.items()},
        requires_reconsent=requires_reconsent,
        published_at=utcnow(),
        published_by=published_by,
    )
    db.add(text)
    await db.flush()
    return text


# --- consent ------------------------------------------------------------------------------


async def consent_book(
    db: AsyncSession,
    *,
    brand_id: str,
    subjects: Iterable[str],
    purposes: Iterable[str] | None = None,
) -> ConsentBook:
    wanted = sorted(set(subjects))
    # One query answers both "consented?" and "erased?" for a whole batch of subjects.
    query = (
        select(
            ConsentRecord.subject,
            ConsentRecord.purpose,
            ConsentRecord.recorded_at,
            ConsentRecord.granted,
            ConsentRecord.text_version,
            Tombstone.subject.is_not(None),
        )
        .outerjoin(Tombstone, Tombstone.subject == ConsentRecord.subject)
        .where(ConsentRecord.brand_id == brand_id, ConsentRecord.subject.in_(wanted))
    )
    if purposes is not None:
        query = query.where(ConsentRecord.purpose.in_(sorted(set(purposes))))
    records = [tuple(r) for r in await db.execute(query.order_by(ConsentRecord.recorded_at))]
    reconsent = [
        tuple(r)
        for r in await db.execute(
            select(ConsentText.purpose, ConsentText.published_at, ConsentText.version)
            .where(ConsentText.brand_id == brand_id, ConsentText.requires_reconsent)
            .order_by(ConsentText.published_at)
        )
    ]
    return ConsentBook(records, reconsent)  # type: ignore[arg-type]


async def consent_in_force(
    db: AsyncSession,
    *,
    brand_id: str,
    subject: str,
    purpose: str,
    at: datetime | None = None,
) -> bool:
    """Whether `subject` consented to `purpose` for the brand at `at` (default: now)."""
    if await keys.is_erased(db, subject=subject):
        return False
    book = await consent_book(db, brand_id=brand_id, subjects=[subject], purposes=[purpose])
    return book.in_force(subject, purpose, at or utcnow())


async def consent_state(
    db: AsyncSession, *, brand_id: str, subject: str
) -> dict[Purpose, ConsentStatus]:
    texts = await current_texts(db, brand_id=brand_id)
    now = utcnow()
    book = await consent_book(db, brand_id=brand_id, subjects=[subject])
    latest: dict[str, ConsentRecord] = {}
    for rec in await history(db, brand_id=brand_id, subject=subject):
        latest[rec.purpose] = rec
    state = {}
    for purpose in Purpose:
        last = latest.get(purpose)
        state[purpose] = ConsentStatus(
            purpose=purpose,
            granted=purpose is Purpose.ESSENTIAL or bool(last and last.granted),
            in_force=book.in_force(subject, purpose, now),
            text_version=last.text_version if last else None,
            current_version=texts[purpose].version,
            recorded_at=last.recorded_at if last else None,
        )
    return state


async def history(db: AsyncSession, *, brand_id: str, subject: str) -> list[ConsentRecord]:
    return list(
        (
            await db.execute(
                select(ConsentRecord)
                .where(ConsentRecord.brand_id == brand_id, ConsentRecord.subject == subject)
                .order_by(ConsentRecord.recorded_at, ConsentRecord.purpose)
            )
        ).scalars()
    )


async def record_choices(
    db: AsyncSession,
    *,
    brand_id: str,
    subject: str,
    choices: Mapping[Purpose, bool],
    channel: str,
    bus: EventBus | None = None,
) -> list[ConsentRecord]:
    """Append a record for every choice that differs from the one in force (or its version).

    The essential purpose is acknowledged, never withdrawn.
    """
    subjects_mod.check(subject)
    await ensure_texts(db, brand_id=brand_id)
    if await keys.is_erased(db, subject=subject):
        raise Conflict("This subject was erased.", code=PrivacyErrorCode.SUBJECT_ERASED)
    if choices.get(Purpose.ESSENTIAL) is False:
        raise AppError(
            "The essential purpose keeps the store working and cannot be withdrawn.",
            code=PrivacyErrorCode.ESSENTIAL_CANNOT_BE_WITHDRAWN,
        )
    state = await consent_state(db, brand_id=brand_id, subject=subject)
    now = utcnow()
    made = []
    for purpose, granted in choices.items():
        status = state[purpose]
        unchanged = status.text_version == status.current_version and (
            status.granted == granted and status.recorded_at is not None
        )
        if unchanged:
            continue
        record = ConsentRecord(
            id=new_id(),
            brand_id=brand_id,
            subject=subject,
            purpose=purpose,
            text_version=status.current_version,
            granted=granted,
            channel=channel,
            recorded_at=now,
        )
        db.add(record)
        made.append(record)
        if bus is not None:
            bus.publish_on_commit(
                db,
                ConsentChanged(
                    brand_id=brand_id, subject=subject, purpose=purpose, granted=granted
                ),
            )
    await db.flush()
    return made
