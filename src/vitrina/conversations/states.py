"""The conversation state machine and the actors that move it.

bot → queued → assigned ⇄ waiting_on_customer → resolved, with the side doors the
console needs: hand back to the bot, transfer (back to queued, or to another advisor),
and a resolved conversation reopened by the bot when the customer writes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from vitrina.core.security import Principal, Role


class State(StrEnum):
    BOT = "bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"


class Channel(StrEnum):
    WORLD = "world"
    WIDGET = "widget"
    EMAIL = "email"
    WEBHOOK = "webhook"


ALLOWED: dict[State, frozenset[State]] = {
    State.BOT: frozenset({State.QUEUED, State.RESOLVED}),
    State.QUEUED: frozenset({State.QUEUED, State.ASSIGNED, State.BOT, State.RESOLVED}),
    State.ASSIGNED: frozenset(
        {State.ASSIGNED, State.WAITING_ON_CUSTOMER, State.QUEUED, State.BOT, State.RESOLVED}
    ),
    State.WAITING_ON_CUSTOMER: frozenset(
        {State.ASSIGNED, State.WAITING_ON_CUSTOMER, State.QUEUED, State.BOT, State.RESOLVED}
    ),
    State.RESOLVED: frozenset({State.BOT}),
}

# States in which a human advisor owns the conversation.
WITH_ADVISOR = frozenset({State.ASSIGNED, State.WAITING_ON_CUSTOMER})
OPEN = frozenset(State) - {State.RESOLVED}


def can_move(from_state: State, to_state: State) -> bool:
    return to_state in ALLOWED[from_state]


ActorKind = Literal["customer", "bot", "agent", "supervisor", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused a change; recorded with every transition and message."""

    kind: ActorKind
    name: str
    id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        if not principal.is_staff:
            return cls(kind="customer", id=principal.session_id, name=principal.display_name)
        kind: ActorKind = (
            "supervisor"
            if principal.has_any_role(frozenset({Role.SUPERVISOR, Role.ADMIN}))
            and not principal.has_any_role(frozenset({Role.AGENT}))
            else "agent"
        )
        return cls(kind=kind, id=principal.user_id, name=principal.display_name)


BOT = Actor(kind="bot", name="Assistant")
SYSTEM = Actor(kind="system", name="Vitrina")
