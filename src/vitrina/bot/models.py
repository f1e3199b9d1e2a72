from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin, TimestampMixin


class BotConversation(IdMixin, TimestampMixin, Base):
    """Where the bot stands in one conversation: language, active flow, filled slots.

    Written in the same transaction as the bot's reply, so a restart between two
    customer messages resumes exactly where the dialogue was."""

    __tablename__ = "bot_conversation"

    # The conversations domain's id; no foreign key, domains share no tables.
    conversation_id: Mapped[str] = mapped_column(String(36), unique=True)
    brand_slug: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    flow: Mapped[str | None] = mapped_column(String(64), default=None)
    # The slot being asked for, "confirm" while awaiting a yes/no, or None.
    step: Mapped[str | None] = mapped_column(String(64), default=None)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Flows interrupted by another flow, most recent last: [{"flow", "step", "slots"}].
    suspended: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    misunderstandings: Mapped[int] = mapped_column(Integer, default=0)
    last_intent: Mapped[str | None] = mapped_column(String(64), default=None)
    last_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    # What the bot attempted, for the advisor's handoff summary.
    tried: Mapped[list[str]] = mapped_column(JSON, default=list)
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


def new_state(*, id: str, conversation_id: str, brand_slug: str, language: str) -> BotConversation:
    """The bot's place in a conversation it has not answered yet."""
    return BotConversation(
        id=id,
        conversation_id=conversation_id,
        brand_slug=brand_slug,
        language=language,
        flow=None,
        step=None,
        slots={},
        suspended=[],
        tried=[],
        misunderstandings=0,
        handed_off=False,
    )
