"""Building blocks for dialogue tests: the demo brand, a conversation, one customer turn."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot import service as bot
from vitrina.bot.content import BrandContent
from vitrina.bot.turn import Turn
from vitrina.brands import service as brands
from vitrina.brands.demo import ensure_demo_brand
from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.conversations.states import Channel
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.demo import DEMO_EMAIL
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.scheduling.demo import seed_scheduling
from vitrina.services import services_of

BRAND = "aurora-motors"
# The coming Monday, 08:00 UTC (09:00 or 10:00 in Paris): the week ahead has free slots,
# and the date keeps moving with the calendar so bookings are never in the past.
_today = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
NOW = _today + timedelta(days=(7 - _today.weekday()) % 7 or 7)

FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]  # fmt: skip


def day_after_now(days: int) -> datetime:
    return NOW + timedelta(days=days)


async def setup_brand(db: AsyncSession) -> None:
    await ensure_demo_brand(db)
    await seed_scheduling(db)
    await db.commit()


async def verify(db: AsyncSession, session_id: str, *, email: str = DEMO_EMAIL) -> str:
    """Record that the guest session proved it holds `email` (as an e-mail code does);
    returns the CRM profile id. The profile must exist (seed_demo_customer)."""
    brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
    profile = await crm.find_identity(
        db, brand_id=brand.id, identifier=normalise(IdentityKind.EMAIL, email)
    )
    assert profile is not None
    await verification.record(
        db,
        principal=Principal(kind="guest", session_id=session_id, display_name="Giulia"),
        brand_id=brand.id,
        customer_id=profile.profile_id,
        method="email_code",
        level=verification.Level.EMAIL_CODE,
        identifier=email,
        ttl_s=600,
    )
    await db.commit()
    return profile.profile_id


async def start(
    app: FastAPI, db: AsyncSession, *, locale: str = "en", session_id: str = "guest-1"
) -> Conversation:
    conversation = await conversations.create(
        db,
        bus=services_of(app).bus,
        brand_slug=BRAND,
        channel=Channel.WIDGET,
        customer_name="Mia",
        locale=locale,
        guest_session_id=session_id,
    )
    await db.commit()
    return conversation


async def say(
    app: FastAPI,
    db: AsyncSession,
    conversation: Conversation,
    text: str,
    *,
    runtime: bot.Runtime | None = None,
) -> tuple[Turn, str]:
    """One customer turn, committed like the event handler does; returns the bot's text."""
    turn = await bot.reply(
        db,
        bus=services_of(app).bus,
        runtime=runtime or services_of(app).bot,
        conversation_id=conversation.id,
        text=text,
        now=NOW,
    )
    await db.commit()
    await settle(app)
    assert turn is not None
    return turn, "\n".join(turn.replies)


async def settle(app: FastAPI) -> None:
    """Wait for the handlers of events delivered after commit (the test ends only once
    they are done, so none of them is cut off by the app's shutdown)."""
    bus = services_of(app).bus
    for _ in range(1000):
        pending = list(bus._tasks)
        if not pending:
            return
        await asyncio.gather(*pending, return_exceptions=True)
    raise AssertionError("event handlers keep running")


def content_patterns(content: BrandContent) -> list[re.Pattern[str]]:
    """Every sentence the brand may say, placeholders as wildcards."""
    texts: list[str] = []
    for value in content.responses.values():
        texts += [t for t in (value.en, value.fr, value.it) if t]
    for article in content.articles:
        texts += [t for t in (article.body.en, article.body.fr, article.body.it) if t]
    patterns = []
    for text in texts:
        parts = re.split(r"\{[a-z_]+\}", text)
        patterns.append(re.compile("^" + ".*".join(re.escape(p) for p in parts) + "$", re.S))
    return patterns


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`vitrina ARGS` in its own process, as a user runs it (errors as the CLI prints them)."""
    return subprocess.run(
        [sys.executable, "-m", "vitrina", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "VITRINA_DATA_DIR": str(data_dir)},
        timeout=120,
        check=False,
    )
