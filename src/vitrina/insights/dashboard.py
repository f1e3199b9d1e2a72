"""The supervisor dashboard: figures of a period, computed from conversations, bookings and
the world's presence; the same figures as Prometheus gauges; live refresh notices on the
console socket.

Definitions (docs/insights.md has them for operators); conversations count when created in
the period:

- by state and channel: each conversation under its current state and its channel;
- bot containment: of the conversations that started with the bot and have left it (now
  resolved, or handed to a queue), the share resolved without ever being queued;
- handoff rate: the share of all conversations queued at least once; reasons: the reason
  of each conversation's first move to a queue;
- queue length: conversations waiting in a queue now; oldest wait: the longest of them;
- wait: mean seconds from a conversation's first queueing to its first assignment;
- first response: mean seconds from the first customer message to the first advisor
  message, over conversations with both;
- handle time: mean seconds from the first assignment to the resolution;
- CSAT: mean score (1-5) and the share of 4s and 5s, over rated conversations;
- bookings: appointments confirmed in the period.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

import structlog
from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.conversations import figures as conversation_figures
from vitrina.conversations.events import Escalated, MessagePosted, StateChanged
from vitrina.conversations.figures import ConversationFacts
from vitrina.core.broker import Broker
from vitrina.core.db import utcnow
from vitrina.core.events import DomainEvent, EventBus
from vitrina.scheduling import figures as scheduling_figures
from vitrina.scheduling.events import AppointmentChanged
from vitrina.world.census import VisitorCensus
from vitrina.world.events import PresenceJoined, PresenceLeft

log = structlog.get_logger(__name__)

# The console hub's broker channel (routing.console.CHANNEL; a test keeps them equal):
# every console socket that may see the frame's brand receives it.
CONSOLE_CHANNEL = "vitrina:console"
# Notices for one brand are sent at most this often; figures are fetched on notice.
NOTICE_EVERY_S = 0.5

PERIODS = {
    "today": None,
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


@dataclass
class Figures:
    visitors_now: int = 0
    conversations: int = 0
    by_state_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    bot_started: int = 0
    bot_finished: int = 0
    bot_contained: int = 0
    containment_rate: float | None = None
    handoffs: int = 0
    handoff_rate: float | None = None
    handoff_reasons: dict[str, int] = field(default_factory=dict)
    queue_length: int = 0
    oldest_wait_s: float | None = None
    mean_wait_s: float | None = None
    mean_first_response_s: float | None = None
    mean_handle_s: float | None = None
    csat_count: int = 0
    csat_mean: float | None = None
    csat_satisfied: float | None = None
    bookings: int = 0


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def compute(
    facts: Sequence[ConversationFacts],
    *,
    queued_since: Sequence[datetime],
    bookings: int,
    visitors: int,
    now: datetime,
) -> Figures:
    """The figures from raw facts; pure, so each definition is tested on hand-made cases."""
    f = Figures(visitors_now=visitors, conversations=len(facts), bookings=bookings)
    states: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    waits: list[float] = []
    firsts: list[float] = []
    handles: list[float] = []
    scores: list[int] = []
    for c in facts:
        states.setdefault(c.state, Counter())[c.channel] += 1
        started_with_bot = (c.steps[0].to_state if c.steps else c.state) == "bot"
        queued = [s for s in c.steps if s.to_state == "queued"]
        assigned = [s for s in c.steps if s.to_state == "assigned"]
        if started_with_bot:
            f.bot_started += 1
            if c.state == "resolved" or queued:
                f.bot_finished += 1
                if not queued:
                    f.bot_contained += 1
        if queued:
            f.handoffs += 1
            first = queued[0]
            reasons[
                "customer_asked"
                if first.actor_kind == "customer"
                else first.reason or "unspecified"
            ] += 1
            later = [a for a in assigned if a.at >= queued[0].at]
            if later:
                waits.append((later[0].at - queued[0].at).total_seconds())
        if (
            c.first_customer_at is not None
            and c.first_agent_at is not None
            and c.first_agent_at >= c.first_customer_at
        ):
            firsts.append((c.first_agent_at - c.first_customer_at).total_seconds())
        if assigned and c.resolved_at is not None and c.resolved_at >= assigned[0].at:
            handles.append((c.resolved_at - assigned[0].at).total_seconds())
        if c.csat is not None:
            scores.append(c.csat)
    f.by_state_channel = {s: dict(sorted(ch.items())) for s, ch in sorted(states.items())}
    f.handoff_reasons = dict(reasons.most_common())
    if f.bot_finished:
        f.containment_rate = round(f.bot_contained / f.bot_finished, 4)
    if f.conversations:
        f.handoff_rate = round(f.handoffs / f.conversations, 4)
    f.queue_length = len(queued_since)
    if queued_since:
        f.oldest_wait_s = round(max((now - q).total_seconds() for q in queued_since), 1)
    f.mean_wait_s = _mean(waits)
    f.mean_first_response_s = _mean(firsts)
    f.mean_handle_s = _mean(handles)
    f.csat_count = len(scores)
    f.csat_mean = _mean([float(s) for s in scores])
    if scores:
        f.csat_satisfied = round(sum(1 for s in scores if s >= 4) / len(scores), 4)
    return f


def period_start(period: str, now: datetime) -> datetime:
    span = PERIODS[period]
    if span is None:
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - span


async def figures(
    db: AsyncSession,
    *,
    brands: set[str] | None,
    since: datetime,
    until: datetime,
    channel: str | None,
    queue: str | None,
    visitors: int,
    now: datetime,
) -> Figures:
    facts = await conversation_figures.facts(
        db, brands=brands, since=since, until=until, channel=channel, queue=queue
    )
    waiting = await conversation_figures.queued_now(db, brands=brands, channel=channel, queue=queue)
    booked = await scheduling_figures.bookings(db, brands=brands, since=since, until=until)
    return compute(facts, queued_since=waiting, bookings=booked, visitors=visitors, now=now)


CSV_FIELDS = (
    "visitors_now",
    "conversations",
    "bot_started",
    "bot_finished",
    "bot_contained",
    "containment_rate",
    "handoffs",
    "handoff_rate",
    "queue_length",
    "oldest_wait_s",
    "mean_wait_s",
    "mean_first_response_s",
    "mean_handle_s",
    "csat_count",
    "csat_mean",
    "csat_satisfied",
    "bookings",
)


def to_csv(f: Figures, *, filters: dict[str, str]) -> str:
    """One `measure,value` row per figure (states and reasons flattened), filters first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure", "value"])
    for key, value in filters.items():
        writer.writerow([f"filter.{key}", value])
    data = asdict(f)
    for name in CSV_FIELDS:
        value = data[name]
        writer.writerow([name, "" if value is None else value])
    for state, channels in f.by_state_channel.items():
        for channel, n in channels.items():
            writer.writerow([f"conversations.{state}.{channel}", n])
    for reason, n in f.handoff_reasons.items():
        writer.writerow([f"handoff_reason.{reason}", n])
    return out.getvalue()


# --- Prometheus: the same figures, today, per brand --------------------------------------

GAUGES: dict[str, Gauge] = {
    name: Gauge(f"vitrina_dashboard_{name}", f"Supervisor dashboard: {name} (today)", ["brand"])
    for name in CSV_FIELDS
}
BY_STATE = Gauge(
    "vitrina_dashboard_conversations_by_state",
    "Supervisor dashboard: conversations created today by current state and channel",
    ["brand", "state", "channel"],
)


def export_gauges(brand: str, f: Figures, *, visitors_here: int) -> None:
    """`visitors_here`: the gauge of visitors is this node's own (the dashboard shows the
    cluster's), so that summing the nodes' gauges counts everyone once."""
    data = asdict(f) | {"visitors_now": visitors_here}
    for name, gauge in GAUGES.items():
        value = data[name]
        gauge.labels(brand=brand).set(float("nan") if value is None else float(value))
    for state, channels in f.by_state_channel.items():
        for channel, n in channels.items():
            BY_STATE.labels(brand=brand, state=state, channel=channel).set(n)


# --- live: events -> a notice on the console socket, and fresh gauges --------------------


class DashboardFeed:
    """Turns the events that move a figure into `{"type": "dashboard", "brand": ...}` frames
    on the console channel (at most one per brand per NOTICE_EVERY_S) and refreshes that
    brand's gauges. Consoles fetch the figures again with their filters on the notice."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: EventBus,
        broker: Broker,
        census: VisitorCensus,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.broker = broker
        self.census = census
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        for kind in (
            StateChanged,
            MessagePosted,
            Escalated,
            AppointmentChanged,
            PresenceJoined,
            PresenceLeft,
        ):
            self._unsubscribe.append(self.bus.subscribe(kind, self.on_event))

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for task in list(self._pending.values()):
            task.cancel()
        for task in list(self._pending.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def on_event(self, event: DomainEvent) -> None:
        brand = getattr(event, "brand_slug", None) or getattr(event, "brand", None)
        if not isinstance(brand, str) or brand in self._pending:
            return
        self._pending[brand] = asyncio.create_task(self._notice(brand))

    async def _notice(self, brand: str) -> None:
        try:
            await asyncio.sleep(NOTICE_EVERY_S)
            now = utcnow()
            async with self.sessions() as db:
                f = await figures(
                    db,
                    brands={brand},
                    since=period_start("today", now),
                    until=now + timedelta(seconds=1),
                    channel=None,
                    queue=None,
                    visitors=self.census.count(brand),
                    now=now,
                )
            export_gauges(brand, f, visitors_here=self.census.local()[brand])
            frame = {"type": "dashboard", "brand": brand}
            await self.broker.publish(CONSOLE_CHANNEL, json.dumps(frame).encode())
        except Exception:  # a notice is best effort; the next event sends another
            log.exception("dashboard_notice_failed", brand=brand)
        finally:
            self._pending.pop(brand, None)
