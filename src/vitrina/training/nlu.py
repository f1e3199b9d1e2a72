"""The bot's understanding, read on a trainee's reply (the same model that reads customers).

Training uses the bot's running `Runtime` when the bot is on, or one of its own (the same
cached brand models) when the bot does not answer customers, e.g. in tests.
"""

from __future__ import annotations

import asyncio

from vitrina.bot.content import BrandContent
from vitrina.bot.service import Runtime
from vitrina.training.engine import NO_READING, Reading


class BotReader:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def content(self, brand: str) -> BrandContent | None:
        return self.runtime.content(brand)

    async def warm(self, brand: str) -> None:
        """Load (or train, the first time) the brand's model before it is needed."""
        await self.runtime.brain(brand)

    async def read(self, brand: str, text: str, language: str) -> Reading:
        brain = await self.runtime.brain(brand)
        if brain is None:
            return Reading(language=language, intent=None, confidence=0.0)
        understood = await asyncio.to_thread(brain.understand, text, current_language=language)
        return Reading(
            language=understood.language,
            intent=understood.intent,
            confidence=round(float(understood.confidence), 4),
        )


__all__ = ["NO_READING", "BotReader", "Reading"]
