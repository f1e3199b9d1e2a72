"""The routing decision: among the advisors who are online, serve the brand, have the
skills (language, product line, queue) and a free slot, the one idle the longest gets the
offer."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.conversations import service as conversations
from vitrina.conversations.models import Conversation
from vitrina.core.events import EventBus
from vitrina.routing.events import Offered
from vitrina.routing.models import Advisor
from vitrina.routing.schemas import Presence


@dataclass(frozen=True, slots=True)
class Need:
    """What a conversation asks of an advisor, read once per decision rather than once per
    advisor looked at (ORM attribute reads add up over 50 advisors and 200 handoffs)."""

    brand: str
    language: str | None
    product_line: str | None
    queue: str | None

    @classmethod
    def of(cls, conversation: Conversation) -> Need:
        skills = conversation.skills
        return cls(
            conversation.brand_slug,
            skills.get("language"),
            skills.get("product_line"),
            conversation.queue,
        )


def eligible(advisor: Advisor, conversation: Conversation | Need, load: int) -> bool:
    need = conversation if isinstance(conversation, Need) else Need.of(conversation)
    if advisor.status != Presence.ONLINE or load >= advisor.capacity:
        return False
    if not advisor.all_brands and need.brand not in advisor.brand_slugs:
        return False
    if advisor.languages and need.language and need.language not in advisor.languages:
        return False
    if (
        advisor.product_lines
        and need.product_line
        and need.product_line not in advisor.product_lines
    ):
        return False
    return not (advisor.queues and need.queue not in advisor.queues)


async def online(db: AsyncSession) -> list[Advisor]:
    rows = await db.execute(
        select(Advisor)
        .where(Advisor.status == Presence.ONLINE.value)
        .order_by(Advisor.idle_since, Advisor.user_id)
    )
    return list(rows.scalars())


async def _loads(db: AsyncSession, advisors: Iterable[Advisor]) -> Counter[str]:
    ids = [a.user_id for a in advisors]
    loads: Counter[str] = Counter(await conversations.count_with_advisors(db, agent_ids=ids))
    loads.update(await conversations.count_offers(db))
    return loads


def choose(
    advisors: list[Advisor], conversation: Conversation, loads: Counter[str]
) -> Advisor | None:
    """Longest idle first among the eligible; `advisors` come sorted by idle_since."""
    need = Need.of(conversation)
    for advisor in advisors:
        if eligible(advisor, need, loads[advisor.user_id]):
            return advisor
    return None


async def route(db: AsyncSession, *, bus: EventBus, conversation_id: str) -> Advisor | None:
    """Offer a queued conversation to the best advisor now, if any is free."""
    return (await route_many(db, bus=bus, conversation_ids=[conversation_id])).get(conversation_id)


async def route_many(
    db: AsyncSession, *, bus: EventBus, conversation_ids: Sequence[str]
) -> dict[str, Advisor | None]:
    """Decide for a batch of queued conversations at once, in service order.

    The advisors and their loads are read once for the whole batch and each offer counts
    against the chosen advisor's load for the next one, so a burst of handoffs costs a
    handful of queries rather than a handful per conversation. Conversations no longer
    queued are left out of the result.
    """
    started = time.perf_counter()
    batch = await conversations.list_queued(db, conversation_ids=conversation_ids)
    if not batch:
        return {}
    advisors = await online(db)
    loads = await _loads(db, advisors)
    decided: dict[str, Advisor | None] = {}
    for conversation in batch:
        if conversation.offered_to:
            loads[conversation.offered_to] -= 1  # its own offer may be renewed
        advisor = choose(advisors, conversation, loads)
        if advisor is not None:
            loads[advisor.user_id] += 1
        _offer(db, bus, conversation, advisor, started)
        decided[conversation.id] = advisor
    await db.flush()
    return decided


async def offer_waiting(
    db: AsyncSession, *, bus: EventBus, brand_slugs: list[str] | None = None
) -> int:
    """Go through the queue in service order: keep each offer whose advisor can still take
    it, offer the others anew. An offer made by concurrent decisions to an advisor who
    filled up meanwhile is moved on here. Returns how many new offers were made."""
    started = time.perf_counter()
    advisors = await online(db)
    by_id = {a.user_id: a for a in advisors}
    ids = [a.user_id for a in advisors]
    loads: Counter[str] = Counter(await conversations.count_with_advisors(db, agent_ids=ids))
    offered = 0
    if advisors:
        queued = await conversations.list_queued(db)
    else:
        # Nobody to offer to: only standing offers are withdrawn, so only those conversations
        # are loaded (the waits are read as columns).
        standing = [w.id for w in await conversations.queued_waits(db) if w.offered_to]
        queued = await conversations.list_queued(db, conversation_ids=standing) if standing else []
    for conversation in queued:
        if brand_slugs is not None and conversation.brand_slug not in brand_slugs:
            continue
        current = by_id.get(conversation.offered_to or "")
        if current is not None and eligible(current, conversation, loads[current.user_id]):
            loads[current.user_id] += 1
            continue
        advisor = choose(advisors, conversation, loads)
        if advisor is not None:
            loads[advisor.user_id] += 1
            offered += 1
        if advisor is not None or conversation.offered_to is not None:
            _offer(db, bus, conversation, advisor, started)
    await db.flush()
    return offered


def _offer(
    db: AsyncSession,
    bus: EventBus,
    conversation: Conversation,
    advisor: Advisor | None,
    started: float,
) -> None:
    conversations.set_offer(conversation, agent_id=advisor.user_id if advisor else None)
    if advisor is not None:
        bus.publish_on_commit(
            db,
            Offered(
                conversation_id=conversation.id,
                brand_slug=conversation.brand_slug,
                advisor_id=advisor.user_id,
                decision_ms=(time.perf_counter() - started) * 1000,
            ),
        )
