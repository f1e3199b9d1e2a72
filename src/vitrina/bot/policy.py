"""What the bot does with a message outside a flow, given what the model understood.

A wrong answer to a question costs the customer a re-read; a wrong action (a booking
they did not ask for, an identity check for an account they do not hold here, a handoff)
costs them much more. So intents that change something ("acting" intents: a flow or a
handoff) need a clear reading before the bot starts them: a confidence of at least
`thresholds.act`, and no other acting intent within `thresholds.margin` of it. When two
acting intents are close ("cancel" against "move"), or the best is an acting intent the
model is only fairly sure of, or one that the brand's nearest examples do not back
(`neighbours.py`), the bot asks one short question naming both instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from vitrina.bot.content import BrandContent, Intent

OUT_OF_SCOPE = "out_of_scope"
Kind = Literal["act", "ask", "fallback", "outside"]


@dataclass(frozen=True, slots=True)
class Decision:
    # "act": take `intent`; "ask": ask which of `options` was meant; "fallback": no
    # intent is clear enough (the knowledge base, then a question or an apology);
    # "outside": no brand answers it (arithmetic, another company's account), said so.
    kind: Kind
    intent: Intent | None = None
    options: tuple[str, str] | None = None


def acts(intent: Intent | None) -> bool:
    """Whether answering the intent changes something for the customer."""
    return intent is not None and (bool(intent.flow) or intent.handoff)


def reads_account(content: BrandContent, intent: Intent | None) -> bool:
    """Whether the intent's flow reads the customer's account with the brand."""
    flow = content.flow(intent.flow) if intent is not None and intent.flow else None
    return flow is not None and flow.requires_verification


def changes_booking(content: BrandContent, intent: Intent | None) -> bool:
    """Whether the intent's flow moves or cancels an appointment the customer has."""
    flow = content.flow(intent.flow) if intent is not None and intent.flow else None
    return flow is not None and flow.action in ("scheduling.reschedule", "scheduling.cancel")


def books(content: BrandContent, intent: Intent | None) -> bool:
    """Whether the intent's flow books a new appointment."""
    flow = content.flow(intent.flow) if intent is not None and intent.flow else None
    return flow is not None and flow.action == "scheduling.book"


def decide(
    content: BrandContent,
    ranking: list[tuple[str, float]],
    agrees: Callable[[str], bool] | None = None,
    *,
    general_task: bool = False,
    elsewhere: bool = False,
    existing: bool = True,
    driving: bool = True,
) -> Decision:
    """`agrees(intent_name)`, when given, is a second signal that must back a task.
    `general_task`: the message asks for arithmetic or a translation; `elsewhere`: it
    names an account at another company, which no account-reading flow may start on;
    `existing`: it speaks of an appointment already made or of changing one, without
    which no flow moves or cancels one (the bot asks instead); `driving`: it speaks of
    driving, trying or booking, or of a day or time, without which no flow books one."""
    thresholds = content.settings.thresholds
    if general_task:
        return Decision("outside")
    if not ranking:
        return Decision("fallback")
    (first, p1), *rest = ranking
    intent = content.intent(first)
    if elsewhere and reads_account(content, intent):
        return Decision("outside")
    if intent is None or intent.name == OUT_OF_SCOPE or p1 < thresholds.out_of_scope:
        return Decision("fallback", intent=intent)
    second, p2 = rest[0] if rest else ("", 0.0)
    runner_up = content.intent(second)
    if acts(intent):
        # A runner-up that could not start (moving or cancelling with no appointment
        # spoken of) is no rival.
        possible = existing or not changes_booking(content, runner_up)
        close = acts(runner_up) and possible and p1 - p2 < thresholds.margin
        backed = agrees is None or p1 >= thresholds.sure or agrees(first)
        grounded = (existing or not changes_booking(content, intent)) and (
            driving or not books(content, intent)
        )
        if p1 >= thresholds.act and not close and backed and grounded:
            return Decision("act", intent=intent)
        if runner_up is not None and runner_up.name != OUT_OF_SCOPE and p1 >= thresholds.ask:
            return Decision("ask", intent=intent, options=(first, second))
        return Decision("fallback", intent=intent)
    if p1 >= thresholds.intent:
        return Decision("act", intent=intent)
    return Decision("fallback", intent=intent)
