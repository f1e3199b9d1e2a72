"""The bot domain's service API: answer a conversation's customer message.

Other parts call `reply` inside their transaction, or let `wiring.install` subscribe the
bot to `conversations.CustomerMessage`. The bot's state for the conversation is read and
written in the same transaction as its answer, so a crash or restart between two
messages loses nothing, and a failed turn leaves no half-written state behind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.bot.actions import ServiceActions
from vitrina.bot.brain import Brain
from vitrina.bot.content import CONTENT_ROOT, BrandContent, ContentError, load_folder
from vitrina.bot.engine import Dialogue
from vitrina.bot.generator import Answerer, OpenAICompatible
from vitrina.bot.models import BotConversation, new_state
from vitrina.bot.multilingual import MultilingualEncoder
from vitrina.bot.ports import PersonaChoices
from vitrina.bot.turn import Turn
from vitrina.brands import service as brands
from vitrina.conversations import service as conversations
from vitrina.core.db import new_id, utcnow
from vitrina.core.events import EventBus

log = structlog.get_logger(__name__)


class BotSettings(BaseSettings):
    """VITRINA_BOT_* settings; the rest comes from the main Settings."""

    model_config = SettingsConfigDict(env_prefix="VITRINA_BOT_", extra="ignore")

    # Where the ONNX encoder and trained models are cached (default: <data dir>/bot).
    cache_dir: Path | None = None
    # Sentence embeddings on (default) or TF-IDF only, e.g. on very small machines.
    embeddings: bool = True
    content_dir: Path = Field(default=CONTENT_ROOT)
    # Whether the bot answers conversations. Unset: yes, except in the test environment,
    # where other domains' tests expect to see only the messages they post.
    enabled: bool | None = None
    # Optional generative answers (off unless a URL is given): an OpenAI-compatible
    # server's base URL such as http://127.0.0.1:8080/v1, its model name and key.
    generator_url: str | None = None
    generator_model: str = "default"
    generator_api_key: SecretStr | None = None
    generator_timeout_s: float = Field(default=10.0, gt=0)

    def generator(self) -> Answerer | None:
        if not self.generator_url:
            return None
        key = self.generator_api_key.get_secret_value() if self.generator_api_key else None
        return OpenAICompatible(
            base_url=self.generator_url,
            model=self.generator_model,
            api_key=key,
            timeout_s=self.generator_timeout_s,
        )

    def active(self, environment: str) -> bool:
        return self.enabled if self.enabled is not None else environment != "test"


@dataclass
class Runtime:
    """What the bot keeps in memory per process: the encoder and one brain per brand."""

    cache_dir: Path
    content_dir: Path
    embeddings: bool = True
    generator: Answerer | None = None
    # The brand's personas, for the flow that offers the choice (set by the composition root).
    personas: PersonaChoices | None = None

    def __post_init__(self) -> None:
        # The brands' encoder; `vitrina bot eval` (BANKING77, English) keeps MiniLM.
        self._encoder: MultilingualEncoder | None = None
        self._brains: dict[str, Brain | None] = {}
        self._contents: dict[str, BrandContent | None] = {}
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, data_dir: Path, bot: BotSettings | None = None) -> Runtime:
        bot = bot or BotSettings()
        return cls(
            cache_dir=bot.cache_dir or data_dir / "bot",
            content_dir=bot.content_dir,
            embeddings=bot.embeddings,
            generator=bot.generator(),
        )

    def content(self, brand_slug: str) -> BrandContent | None:
        """The brand's validated content, read once per process (None: no bot content)."""
        if brand_slug not in self._contents:
            folder = self.content_dir / brand_slug
            found = (folder / "intents.yaml").exists()
            self._contents[brand_slug] = load_folder(folder, brand=brand_slug) if found else None
        return self._contents[brand_slug]

    def _build(self, brand_slug: str) -> Brain | None:
        content = self.content(brand_slug)
        if content is None:
            return None
        if self.embeddings and self._encoder is None:
            self._encoder = MultilingualEncoder()
        return Brain.build(content, encoder=self._encoder, cache_dir=self.cache_dir)

    async def brain(self, brand_slug: str) -> Brain | None:
        """The brand's brain, trained or loaded on first use off the event loop."""
        if brand_slug in self._brains:
            return self._brains[brand_slug]
        async with self._lock:
            if brand_slug not in self._brains:
                try:
                    self._brains[brand_slug] = await asyncio.to_thread(self._build, brand_slug)
                except ContentError as exc:
                    log.error("bot_content_invalid", brand=brand_slug, problems=exc.problems)
                    self._brains[brand_slug] = None
            return self._brains[brand_slug]


async def get_state(db: AsyncSession, *, conversation_id: str) -> BotConversation | None:
    return (
        await db.execute(
            select(BotConversation).where(BotConversation.conversation_id == conversation_id)
        )
    ).scalar_one_or_none()


async def _state_for(
    db: AsyncSession, *, conversation_id: str, brand_slug: str, language: str
) -> BotConversation:
    state = await get_state(db, conversation_id=conversation_id)
    if state is None:
        state = new_state(
            id=new_id(),
            conversation_id=conversation_id,
            brand_slug=brand_slug,
            language=language,
        )
        db.add(state)
    return state


async def reply(
    db: AsyncSession,
    *,
    bus: EventBus,
    runtime: Runtime,
    conversation_id: str,
    text: str,
    now: datetime | None = None,
) -> Turn | None:
    """Answer `text` in the conversation, posting the bot's message; None when the bot
    is not the one to answer (an advisor owns it, or the brand has no bot content)."""
    conversation = await conversations.get_or_raise(db, conversation_id=conversation_id)
    if conversation.state != "bot":
        return None
    brain = await runtime.brain(conversation.brand_slug)
    if brain is None:
        return None
    brand = await brands.get_by_slug_or_raise(db, slug=conversation.brand_slug)
    state = await _state_for(
        db,
        conversation_id=conversation.id,
        brand_slug=conversation.brand_slug,
        language=conversation.locale,
    )
    now = now or utcnow()
    actions = ServiceActions(
        db,
        bus=bus,
        conversation=conversation,
        timezone=brand.timezone,
        queue=brain.content.settings.handoff_queue,
        now=now,
        personas=runtime.personas,
    )
    dialogue = Dialogue(
        brain, state, actions, now=now, timezone=brand.timezone, generator=runtime.generator
    )
    turn = await dialogue.respond(text)
    state.last_confidence = turn.confidence
    await db.flush()
    if turn.replies:
        await conversations.post_bot_message(
            db,
            bus=bus,
            conversation_id=conversation.id,
            body="\n".join(turn.replies),
            data={
                "intent": turn.intent,
                "confidence": round(turn.confidence or 0.0, 4),
                "language": state.language,
                "citations": turn.citations,
            },
        )
    return turn


def greeting(content: BrandContent, lang: str) -> str:
    return content.say("greeting", lang)
