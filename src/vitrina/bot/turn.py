"""What one turn of the dialogue produces, and what the engine needs from other domains.

`Actions` is implemented with the other domains' service modules in `actions.py`, and
as dry runs by `brand_eval.py`; the constants name the slots and steps the engine keeps
for itself in a conversation's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from vitrina.bot.content import Flow

CONFIRM = "confirm"
# Slots the engine keeps for itself (never shown, never in the handoff summary): what
# the flow acts on (an appointment), and what the action prepared (a free slot).
TARGET = "_target"
PREPARED = "_prepared"
# In a failed `Actions.target` result: the flow may go on once the customer is verified.
NEEDS_VERIFICATION = "needs_verification"
# In a failed `Actions.run` result: what the flow acts on is gone (changed meanwhile).
GONE = "gone"
VERIFY = "verify"
# In an `insights.persona` target: "persona:<key>" -> the persona's names in
# PERSONA_LANGS, "|"-separated.
PERSONA_PREFIX = "persona:"
PERSONA_LANGS = ("en", "fr", "it")


@dataclass
class ActionResult:
    ok: bool
    values: dict[str, str] = field(default_factory=dict)


class Actions(Protocol):
    async def verified_identity(self) -> str | None: ...

    async def target(self, flow: Flow, language: str) -> ActionResult:
        """What the flow will act on (the customer's appointment), found before the bot
        asks anything; ok with no values for flows that act on nothing existing."""
        ...

    async def prepare(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult: ...

    async def run(self, flow: Flow, slots: dict[str, Any], language: str) -> ActionResult: ...

    async def handoff(self, *, reason: str, summary: dict[str, Any]) -> bool: ...


@dataclass
class Turn:
    replies: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    handoff: bool = False
    intent: str | None = None
    confidence: float | None = None
    # What the bot did with the message, for evaluation and the handoff summary:
    # "flow:<name>" (a task started), "article:<id>", "response:<key>", "handoff",
    # "clarify" (it asked which intent was meant), "out_of_scope", or "flow" (the
    # message went to a running flow).
    outcome: str | None = None
