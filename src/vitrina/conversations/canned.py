"""Canned responses: per brand and language, inserted by shortcut in the console."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.models import CannedResponse
from vitrina.conversations.schemas import CannedResponseCreate
from vitrina.core.db import new_id
from vitrina.core.errors import Conflict


async def list_canned(
    db: AsyncSession, *, brand_slug: str, locale: str | None = None
) -> list[CannedResponse]:
    query = select(CannedResponse).where(CannedResponse.brand_slug == brand_slug)
    if locale is not None:
        query = query.where(CannedResponse.locale == locale)
    rows = await db.execute(query.order_by(CannedResponse.locale, CannedResponse.shortcut))
    return list(rows.scalars())


async def create_canned(
    db: AsyncSession, *, brand_slug: str, data: CannedResponseCreate
) -> CannedResponse:
    existing = await db.execute(
        select(CannedResponse).where(
            CannedResponse.brand_slug == brand_slug,
            CannedResponse.locale == data.locale,
            CannedResponse.shortcut == data.shortcut,
        )
    )
    if existing.scalar_one_or_none() is not None:
        raise Conflict(
            f"/{data.shortcut} already exists in {data.locale}.",
            code=Code.CANNED_RESPONSE_EXISTS,
        )
    row = CannedResponse(
        id=new_id(),
        brand_slug=brand_slug,
        locale=data.locale,
        shortcut=data.shortcut,
        title=data.title,
        body=data.body,
    )
    db.add(row)
    await db.flush()
    return row


async def ensure_canned(
    db: AsyncSession, *, brand_slug: str, items: list[CannedResponseCreate]
) -> int:
    """Create the responses that do not exist yet; returns how many were created."""
    have = {(c.locale, c.shortcut) for c in await list_canned(db, brand_slug=brand_slug)}
    made = 0
    for item in items:
        if (item.locale, item.shortcut) not in have:
            await create_canned(db, brand_slug=brand_slug, data=item)
            made += 1
    return made
