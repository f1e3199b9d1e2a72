"""What the bot keeps about a person, for the access export, erasure and retention.

The bot's dialogue state (`bot_conversation`) belongs to a conversation; its slots hold
what the customer answered (a name, a date, a model, an email address), as do the flows
it set aside and the list of what it tried. The conversations domain says which
conversations are the subject's, so this eraser must run before the conversations one
forgets who the customer was: sources run in name order, and "bot." comes first. Erasure keeps the row (language and counters) and
empties every slot; the retention job drops dialogue states untouched for a year.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot.models import BotConversation
from vitrina.conversations.personal_data import conversation_ids, sealed_subject
from vitrina.core import sealing
from vitrina.privacy.registry import (
    DataRequest,
    PersonalDataSource,
    RetentionRule,
    Row,
    register,
)

RETENTION_DAYS = 365

# The answers are sealed under the subject of their conversation (its guest, or itself).
sealing.seal_columns(
    BotConversation,
    "slots",
    "suspended",
    "tried",
    subject=lambda rows, b: (
        sealed_subject(rows, b.conversation_id) or f"conversation:{b.conversation_id}"
    ),
    empty={"suspended": [], "tried": []},
)


async def _export(db: AsyncSession, req: DataRequest) -> list[Row]:
    ids = await conversation_ids(db, req)
    if not ids:
        return []
    rows = await db.execute(
        select(BotConversation)
        .where(BotConversation.conversation_id.in_(ids))
        .order_by(BotConversation.created_at)
    )
    return [
        {
            "conversation": b.conversation_id,
            "language": b.language,
            "flow": b.flow,
            "step": b.step,
            "answers": b.slots,
            "set_aside": b.suspended,
            "last_intent": b.last_intent,
            "tried": b.tried,
            "handed_off": b.handed_off,
            "updated_at": b.updated_at,
        }
        for b in rows.scalars()
    ]


async def _erase(db: AsyncSession, req: DataRequest) -> int:
    ids = await conversation_ids(db, req)
    if not ids:
        return 0
    result = await db.execute(
        update(BotConversation)
        .where(BotConversation.conversation_id.in_(ids))
        .values(flow=None, step=None, slots={}, suspended=[], tried=[], sealed_for=sealing.ERASED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def _purge(db: AsyncSession, cutoff: datetime) -> int:
    result = await db.execute(delete(BotConversation).where(BotConversation.updated_at < cutoff))
    return int(getattr(result, "rowcount", 0))


register(
    PersonalDataSource(
        name="bot.dialogues",
        tables=["bot_conversation"],
        export=_export,
        erase=_erase,
        # Dialogues are found through the conversations, so they go first.
        erase_before=("conversations.threads", "conversations.messages"),
        retention=[RetentionRule(kind="bot_dialogues", days=RETENTION_DAYS, purge=_purge)],
        description="What the bot understood in your conversations: the answers you gave it.",
    )
)
