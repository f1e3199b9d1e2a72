"""The training domain's service API: scenarios, sessions, replies, scores, progress.

Who may do what: every advisor (agent, supervisor, admin) of a brand lists its
scenarios and rehearses them; supervisors and admins author scenarios, assign sessions
to advisors, see every session of their brand and comment on it. A trainee never sees a
scenario's hidden facts, script or rubric before their session has ended.

Training never writes another domain's records: no conversation, queue entry, metric,
interest signal or CRM profile comes out of a rehearsal (tests/training/test_isolation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.catalog import service as catalog
from vitrina.core.db import utcnow
from vitrina.core.errors import AppError, Conflict, Forbidden, NotFound
from vitrina.core.security import Principal, Role
from vitrina.identity import service as identity
from vitrina.training import engine, scoring
from vitrina.training.engine import Action, Matched, Reading
from vitrina.training.errors import TrainingErrorCode
from vitrina.training.models import (
    TrainingComment,
    TrainingEvent,
    TrainingScenario,
    TrainingSession,
)
from vitrina.training.nlu import BotReader
from vitrina.training.scenario import (
    LANGS,
    Context,
    Problem,
    Scenario,
    ScenarioInvalid,
    parse_scenario,
)

SHIPPED = Path(__file__).resolve().parent / "scenarios"
TRAINEE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
COACH_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
MAX_REPLIES = 200


class ScenarioRefused(AppError):
    status = 422
    code = TrainingErrorCode.SCENARIO_INVALID


def is_coach(principal: Principal) -> bool:
    return principal.has_any_role(COACH_ROLES)


def _check_brand(principal: Principal, brand: str) -> None:
    if not principal.may_act_on(brand):
        raise Forbidden(f"You do not serve the brand {brand!r}.", code="brand_forbidden")


def check_coach(principal: Principal, brand: str) -> None:
    _check_brand(principal, brand)
    if not is_coach(principal):
        raise Forbidden("Only supervisors and admins author scenarios.")


def check_replay(principal: Principal, session: TrainingSession) -> None:
    """A trainee replays their session once it has ended (then nothing is left to hide)."""
    if not is_coach(principal) and session.state != "ended":
        raise Conflict(
            "The replay opens when the session has ended.", code=TrainingErrorCode.SESSION_STATE
        )


def problems_json(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [
        {"line": p.line, "column": p.column, "path": p.path, "message": p.message} for p in problems
    ]


# --------------------------------------------------------------------------- scenarios


async def context_for(db: AsyncSession, *, brand: str, reader: BotReader | None) -> Context:
    """What a brand's scenario may name: its zones, products, bot intents and articles."""
    found = await brands.get_by_slug_or_raise(db, slug=brand)
    zones = frozenset(z.name for z in brands.layout_of(found).zones)
    products = frozenset(p.slug for p in await catalog.list_products(db, brand=found))
    content = reader.content(brand) if reader is not None else None
    if content is None:
        return Context(zones=zones, products=products)
    return Context(
        zones=zones,
        products=products,
        intents=frozenset(i.name for i in content.intents),
        articles=frozenset(a.id for a in content.articles),
    )


async def validate(
    db: AsyncSession, *, brand: str, source: str, reader: BotReader | None
) -> Scenario:
    try:
        return parse_scenario(source, await context_for(db, brand=brand, reader=reader))
    except ScenarioInvalid as exc:
        raise ScenarioRefused(
            f"The scenario has {len(exc.problems)} problem(s); the first: {exc.problems[0]}",
            problems=problems_json(exc.problems),
        ) from None


async def list_scenarios(
    db: AsyncSession, *, principal: Principal, brand: str
) -> list[tuple[TrainingScenario, Scenario]]:
    _check_brand(principal, brand)
    rows = (
        await db.execute(
            select(TrainingScenario)
            .where(TrainingScenario.brand_slug == brand, TrainingScenario.enabled.is_(True))
            .order_by(TrainingScenario.slug)
        )
    ).scalars()
    out = []
    for row in rows:
        try:
            out.append((row, parse_scenario(row.source)))
        except ScenarioInvalid:
            continue  # saved before a rule it now breaks; the editor shows why
    return out


async def _scenario_row(db: AsyncSession, *, brand: str, slug: str) -> TrainingScenario | None:
    return (
        await db.execute(
            select(TrainingScenario).where(
                TrainingScenario.brand_slug == brand, TrainingScenario.slug == slug
            )
        )
    ).scalar_one_or_none()


async def get_scenario(
    db: AsyncSession, *, principal: Principal, brand: str, slug: str
) -> TrainingScenario:
    """The full source (script, hidden facts, rubric): for authors only."""
    _check_brand(principal, brand)
    if not is_coach(principal):
        raise Forbidden("Only supervisors and admins read a scenario's script.")
    row = await _scenario_row(db, brand=brand, slug=slug)
    if row is None:
        raise NotFound(f"No scenario {slug!r}.", code=TrainingErrorCode.SCENARIO_NOT_FOUND)
    return row


async def save_scenario(
    db: AsyncSession,
    *,
    principal: Principal,
    brand: str,
    slug: str,
    source: str,
    reader: BotReader | None,
) -> TrainingScenario:
    _check_brand(principal, brand)
    if not is_coach(principal):
        raise Forbidden("Only supervisors and admins edit scenarios.")
    scenario = await validate(db, brand=brand, source=source, reader=reader)
    if scenario.slug != slug:
        raise ScenarioRefused(
            f"The scenario's slug is {scenario.slug!r}, not {slug!r}.",
            problems=[{"line": 1, "column": 1, "path": "scenario.slug", "message": "slug differs"}],
        )
    row = await _scenario_row(db, brand=brand, slug=slug)
    if row is None:
        row = TrainingScenario(brand_slug=brand, slug=slug, source=source, enabled=True)
        db.add(row)
    row.source = source
    row.updated_by = principal.user_id
    row.updated_at = utcnow()
    await db.flush()
    return row


def shipped_sources(brand: str) -> dict[str, str]:
    folder = SHIPPED / brand
    if not folder.is_dir():
        return {}
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


async def seed_shipped(db: AsyncSession, *, brand: str) -> int:
    """Store the scenarios shipped for `brand` that it does not have yet."""
    made = 0
    for slug, source in shipped_sources(brand).items():
        if await _scenario_row(db, brand=brand, slug=slug) is None:
            parse_scenario(source)
            db.add(TrainingScenario(brand_slug=brand, slug=slug, source=source, enabled=True))
            made += 1
    await db.flush()
    return made


# --------------------------------------------------------------------------- dry run


@dataclass(frozen=True, slots=True)
class DryTurn:
    who: str
    text: str
    at: float
    step: str
    intent: str | None = None
    confidence: float = 0.0
    labels: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    escalation: bool = False


@dataclass(frozen=True, slots=True)
class DryRun:
    path: list[str]
    outcome: str | None
    turns: list[DryTurn]
    score: scoring.Score


async def dry_run(
    scenario: Scenario,
    *,
    brand: str,
    language: str,
    replies: Sequence[tuple[str, float | None]],
    reader: BotReader | None,
) -> DryRun:
    """Play sample replies (each with the seconds waited before it, or a default of 5)
    against the script: the path taken, the transcript and the score."""
    state, actions = engine.begin(scenario, language)
    turns: list[DryTurn] = []
    scored: list[scoring.Turn] = []
    at = 0.0

    def customer(actions: list[Action]) -> None:
        for a in actions:
            if a.kind == "say":
                turns.append(DryTurn("customer", a.value, at, state.step, escalation=a.escalation))
                scored.append(scoring.Turn(len(scored) + 1, at, "customer", a.value))

    customer(actions)
    for text, wait in replies:
        if state.ended:
            break
        target = at + (5.0 if wait is None else wait)
        # Time passes: the customer may escalate, or walk away, before the reply.
        while not state.ended:
            due = engine.seconds_until_impatient(scenario, state, at=at)
            if due is None or at + due > target:
                break
            at += due
            customer(engine.idle(scenario, state, at=at))
        if state.ended:
            break
        at = target
        reading = await _read(reader, brand, text, language)
        matched, actions = engine.respond(scenario, state, text, reading, at=at)
        turns.append(
            DryTurn(
                "trainee", text, at, matched.step, reading.intent, reading.confidence,
                tuple(matched.labels), tuple(matched.criteria),
            )
        )  # fmt: skip
        scored.append(
            scoring.Turn(
                len(scored) + 1, at, "trainee", text, matched.labels, reading.intent,
                reading.confidence,
            )
        )  # fmt: skip
        customer(actions)
    result = scoring.score(
        scenario, scored, outcome=state.outcome, duration_s=at, language=language
    )
    return DryRun(list(state.path), state.outcome, turns, result)


async def _read(reader: BotReader | None, brand: str, text: str, language: str) -> Reading:
    if reader is None:
        return Reading(language=language, intent=None, confidence=0.0)
    return await reader.read(brand, text, language)


# --------------------------------------------------------------------------- sessions


async def create_session(
    db: AsyncSession,
    *,
    principal: Principal,
    brand: str,
    scenario_slug: str,
    language: str,
    trainee_id: str | None,
) -> TrainingSession:
    """An advisor starts one for themselves; a supervisor or admin may assign one to an
    advisor of the brand."""
    _check_brand(principal, brand)
    me = principal.user_id
    assert me is not None
    trainee = trainee_id or me
    if trainee != me:
        if not is_coach(principal):
            raise Forbidden("Only supervisors and admins assign sessions to others.")
        user = await identity.get_user(db, user_id=trainee)
        if user is None or not user.is_active or brand not in user.brand_slugs:
            raise NotFound(
                "No advisor of this brand with that id.",
                code=TrainingErrorCode.TRAINEE_NOT_FOUND,
            )
    row = await _scenario_row(db, brand=brand, slug=scenario_slug)
    if row is None or not row.enabled:
        raise NotFound(f"No scenario {scenario_slug!r}.", code=TrainingErrorCode.SCENARIO_NOT_FOUND)
    try:
        parse_scenario(row.source)
    except ScenarioInvalid as exc:
        raise ScenarioRefused(str(exc), problems=problems_json(exc.problems)) from None
    session = TrainingSession(
        brand_slug=brand,
        scenario_slug=scenario_slug,
        source=row.source,
        language=language if language in LANGS else "en",
        trainee_id=trainee,
        assigned_by=me if trainee != me else None,
        state="assigned",
    )
    db.add(session)
    await db.flush()
    return session


async def get_session(
    db: AsyncSession, *, principal: Principal, session_id: str
) -> TrainingSession:
    """The trainee's own session, or any session of a brand the coach serves."""
    session = await db.get(TrainingSession, session_id)
    if session is None or not principal.may_act_on(session.brand_slug):
        raise NotFound("No such training session.", code=TrainingErrorCode.SESSION_NOT_FOUND)
    if session.trainee_id != principal.user_id and not is_coach(principal):
        raise NotFound("No such training session.", code=TrainingErrorCode.SESSION_NOT_FOUND)
    return session


def own_session(principal: Principal, session: TrainingSession) -> None:
    if session.trainee_id != principal.user_id:
        raise Forbidden(
            "Only the trainee plays their session.", code=TrainingErrorCode.NOT_YOUR_SESSION
        )


async def list_sessions(
    db: AsyncSession,
    *,
    principal: Principal,
    brand: str,
    trainee_id: str | None = None,
    limit: int = 50,
) -> list[TrainingSession]:
    _check_brand(principal, brand)
    query = select(TrainingSession).where(TrainingSession.brand_slug == brand)
    if not is_coach(principal):
        if trainee_id is not None and trainee_id != principal.user_id:
            raise Forbidden("An advisor sees only their own sessions.")
        trainee_id = principal.user_id
    if trainee_id is not None:
        query = query.where(TrainingSession.trainee_id == trainee_id)
    rows = await db.execute(query.order_by(TrainingSession.created_at.desc()).limit(limit))
    return list(rows.scalars())


async def lock_session(db: AsyncSession, session_id: str) -> TrainingSession | None:
    """The session, fresh from the database and held until the transaction ends: one
    turn at a time whichever node writes it (the row in PostgreSQL; SQLite's writer).
    The first statement writes, so SQLite reads after the writer before it."""
    await db.execute(
        update(TrainingSession).where(TrainingSession.id == session_id).values(updated_at=utcnow())
    )
    return await db.get(TrainingSession, session_id, populate_existing=True)


async def running_in_zone(db: AsyncSession, *, brand: str, zone: str) -> TrainingSession | None:
    """The running session whose private room is `zone` (zones are unique tokens)."""
    found = await db.execute(
        select(TrainingSession).where(
            TrainingSession.brand_slug == brand,
            TrainingSession.zone == zone,
            TrainingSession.state == "running",
        )
    )
    return found.scalars().first()


def scenario_of(session: TrainingSession) -> Scenario:
    return parse_scenario(session.source)


def state_of(session: TrainingSession) -> engine.State:
    if session.engine is None:
        raise Conflict("The session has not started.", code=TrainingErrorCode.SESSION_STATE)
    return engine.State.from_json(session.engine)


async def _next_seq(db: AsyncSession, session_id: str) -> int:
    found = await db.scalar(
        select(func.max(TrainingEvent.seq)).where(TrainingEvent.session_id == session_id)
    )
    return int(found or 0) + 1


def offset(session: TrainingSession, now: datetime) -> float:
    started = session.started_at or now
    return round(max(0.0, (now - started).total_seconds()), 3)


async def record(
    db: AsyncSession,
    session: TrainingSession,
    *,
    who: str,
    kind: str,
    line: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> TrainingEvent:
    now = now or utcnow()
    event = TrainingEvent(
        session_id=session.id,
        seq=await _next_seq(db, session.id),
        at=now,
        offset_s=offset(session, now),
        who=who,
        kind=kind,
        line=line,
        detail=detail or {},
    )
    db.add(event)
    await db.flush()
    return event


async def record_actions(
    db: AsyncSession, session: TrainingSession, actions: list[Action], *, now: datetime
) -> None:
    state = state_of(session)
    for action in actions:
        if action.kind == "say":
            detail = {"step": state.step, "escalation": action.escalation}
            await record(
                db, session, who="customer", kind="say", line=action.value, detail=detail, now=now
            )
        elif action.kind in ("emote", "mood"):
            await record(
                db, session, who="customer", kind=action.kind, detail={action.kind: action.value},
                now=now,
            )  # fmt: skip


async def begin(
    db: AsyncSession, *, principal: Principal, session: TrainingSession, zone: str
) -> list[Action]:
    own_session(principal, session)
    if session.state != "assigned":
        raise Conflict("The session has already started.", code=TrainingErrorCode.SESSION_STATE)
    now = utcnow()
    session.state = "running"
    session.started_at = now
    session.zone = zone
    state, actions = engine.begin(scenario_of(session), session.language)
    session.engine = state.to_json()
    await record(db, session, who="system", kind="start", detail={"zone": zone}, now=now)
    await record_actions(db, session, actions, now=now)
    return actions


async def reply(
    db: AsyncSession,
    *,
    session: TrainingSession,
    text: str,
    reading: Reading,
    via: str,
) -> tuple[Matched, list[Action]]:
    """The trainee said `text` (in the world's chat or the console): the customer answers."""
    if session.state != "running":
        raise Conflict("The session is not running.", code=TrainingErrorCode.SESSION_STATE)
    state = state_of(session)
    if state.trainee_turns >= MAX_REPLIES:
        raise Conflict("Too many replies in one session.", code=TrainingErrorCode.SESSION_STATE)
    now = utcnow()
    matched, actions = engine.respond(
        scenario_of(session), state, text, reading, at=offset(session, now)
    )
    session.engine = state.to_json()
    await record(
        db,
        session,
        who="trainee",
        kind="say",
        line=text,
        detail={
            "via": via,
            "intent": reading.intent,
            "confidence": reading.confidence,
            "language": reading.language,
            "labels": matched.labels,
            "branch": matched.branch,
            "criteria": matched.criteria,
            "step": matched.step,
        },
        now=now,
    )
    await record_actions(db, session, actions, now=now)
    if state.ended:
        await finish(db, session=session, outcome=state.outcome, now=now)
    return matched, actions


async def idle(db: AsyncSession, *, session: TrainingSession) -> list[Action]:
    if session.state != "running":
        return []
    state = state_of(session)
    now = utcnow()
    actions = engine.idle(scenario_of(session), state, at=offset(session, now))
    if not actions:
        return []
    session.engine = state.to_json()
    await record_actions(db, session, actions, now=now)
    if state.ended:
        await finish(db, session=session, outcome=state.outcome, now=now)
    return actions


async def stop(db: AsyncSession, *, principal: Principal, session: TrainingSession) -> None:
    """The trainee (or a coach) ends a session early; it is scored as it stands."""
    if session.trainee_id != principal.user_id and not is_coach(principal):
        raise Forbidden("Only the trainee or a coach ends a session.")
    if session.state == "ended":
        raise Conflict("The session has ended.", code=TrainingErrorCode.SESSION_STATE)
    now = utcnow()
    if session.state == "assigned":
        session.started_at = now
    await record(db, session, who="system", kind="stop", now=now)
    await finish(db, session=session, outcome=None, now=now)


async def finish(
    db: AsyncSession, *, session: TrainingSession, outcome: str | None, now: datetime
) -> None:
    session.state = "ended"
    session.ended_at = now
    session.outcome = outcome
    session.duration_s = offset(session, now)
    events = await events_of(db, session_id=session.id)
    turns = [
        scoring.Turn(
            seq=e.seq,
            at=e.offset_s,
            who=e.who,
            text=e.line,
            labels=list(e.detail.get("labels", [])),
            intent=e.detail.get("intent"),
            confidence=float(e.detail.get("confidence") or 0.0),
            escalation=bool(e.detail.get("escalation")),
        )
        for e in events
        if e.kind == "say"
    ]
    result = scoring.score(
        scenario_of(session),
        turns,
        outcome=outcome,
        duration_s=session.duration_s,
        language=session.language,
    )
    session.score = result.to_json()
    session.score_percent = result.percent
    await record(db, session, who="system", kind="end", detail={"outcome": outcome}, now=now)


async def events_of(db: AsyncSession, *, session_id: str) -> list[TrainingEvent]:
    rows = await db.execute(
        select(TrainingEvent)
        .where(TrainingEvent.session_id == session_id)
        .order_by(TrainingEvent.seq)
    )
    return list(rows.scalars())


async def comments_of(db: AsyncSession, *, session_id: str) -> list[TrainingComment]:
    rows = await db.execute(
        select(TrainingComment)
        .where(TrainingComment.session_id == session_id)
        .order_by(TrainingComment.created_at)
    )
    return list(rows.scalars())


async def comment(
    db: AsyncSession,
    *,
    principal: Principal,
    session: TrainingSession,
    remark: str,
    seq: int | None,
) -> TrainingComment:
    if not is_coach(principal):
        raise Forbidden("Only supervisors and admins comment on sessions.")
    assert principal.user_id is not None
    made = TrainingComment(
        session_id=session.id,
        author_id=principal.user_id,
        author=principal.display_name,
        remark=remark,
        seq=seq,
        created_at=utcnow(),
    )
    db.add(made)
    await db.flush()
    return made


@dataclass(frozen=True, slots=True)
class Progress:
    trainee_id: str
    sessions: list[TrainingSession]
    # Share of sessions passing each rubric item, by item id.
    items: dict[str, float]


async def progress(
    db: AsyncSession, *, principal: Principal, brand: str, trainee_id: str | None
) -> Progress:
    _check_brand(principal, brand)
    who = trainee_id or principal.user_id
    assert who is not None
    if who != principal.user_id and not is_coach(principal):
        raise Forbidden("An advisor sees only their own progress.")
    rows = await db.execute(
        select(TrainingSession)
        .where(
            TrainingSession.brand_slug == brand,
            TrainingSession.trainee_id == who,
            TrainingSession.state == "ended",
        )
        .order_by(TrainingSession.ended_at)
    )
    sessions = list(rows.scalars())
    passed: dict[str, list[bool]] = {}
    for s in sessions:
        for item in (s.score or {}).get("items", []):
            passed.setdefault(item["id"], []).append(bool(item["passed"]))
    return Progress(
        trainee_id=who,
        sessions=sessions,
        items={k: round(sum(v) / len(v), 3) for k, v in passed.items()},
    )


# --------------------------------------------------------------------------- staff records

RECORD_KEEPERS = frozenset({Role.ADMIN, Role.DPO})


def check_record_keeper(principal: Principal, brand: str) -> None:
    """A member of staff's training records are theirs: the brand's admins and its
    data-protection officer export and erase them, on that person's request."""
    _check_brand(principal, brand)
    if not principal.has_any_role(RECORD_KEEPERS):
        raise Forbidden("Only admins and the data-protection officer handle staff records.")


@dataclass(frozen=True, slots=True)
class TraineeRecords:
    """Everything training holds about one member of staff in one brand."""

    sessions: list[TrainingSession]
    events: dict[str, list[TrainingEvent]]  # by session id
    comments: dict[str, list[TrainingComment]]  # on their sessions, by session id
    written: list[TrainingComment]  # remarks they wrote on others' sessions
    assigned: list[TrainingSession]  # sessions they assigned to others
    scenarios: list[TrainingScenario]  # scenarios they saved last


async def _their(db: AsyncSession, brand: str, user_id: str) -> TraineeRecords:
    sessions = list(
        (
            await db.execute(
                select(TrainingSession)
                .where(TrainingSession.brand_slug == brand, TrainingSession.trainee_id == user_id)
                .order_by(TrainingSession.created_at)
            )
        ).scalars()
    )
    own = [s.id for s in sessions]
    written = list(
        (
            await db.execute(
                select(TrainingComment)
                .join(TrainingSession, TrainingSession.id == TrainingComment.session_id)
                .where(
                    TrainingSession.brand_slug == brand,
                    TrainingComment.author_id == user_id,
                    TrainingSession.trainee_id != user_id,
                )
                .order_by(TrainingComment.created_at)
            )
        ).scalars()
    )
    assigned = list(
        (
            await db.execute(
                select(TrainingSession).where(
                    TrainingSession.brand_slug == brand,
                    TrainingSession.assigned_by == user_id,
                    TrainingSession.trainee_id != user_id,
                )
            )
        ).scalars()
    )
    scenarios = list(
        (
            await db.execute(
                select(TrainingScenario).where(
                    TrainingScenario.brand_slug == brand, TrainingScenario.updated_by == user_id
                )
            )
        ).scalars()
    )
    return TraineeRecords(
        sessions=sessions,
        events={sid: await events_of(db, session_id=sid) for sid in own},
        comments={sid: await comments_of(db, session_id=sid) for sid in own},
        written=written,
        assigned=assigned,
        scenarios=scenarios,
    )


async def trainee_records(
    db: AsyncSession, *, principal: Principal, brand: str, user_id: str
) -> TraineeRecords:
    """A member of staff's training records in a brand, for their access request."""
    check_record_keeper(principal, brand)
    return await _their(db, brand, user_id)


@dataclass(frozen=True, slots=True)
class Erased:
    sessions: int
    events: int
    comments: int
    remarks_unsigned: int
    assignments_cleared: int
    scenarios_unsigned: int
    # The sessions that were running: their rooms close (brand, zone, session id).
    running: list[tuple[str, str | None, str]]


async def erase_trainee(
    db: AsyncSession, *, principal: Principal, brand: str, user_id: str
) -> Erased:
    """Erase a member of staff's training records in a brand: their sessions go with
    their transcripts, scores and the remarks on them; the remarks they wrote on others'
    sessions stay, unsigned; their name leaves the sessions they assigned and the
    scenarios they saved. Other brands' records of the same person are untouched."""
    check_record_keeper(principal, brand)
    found = await _their(db, brand, user_id)
    own = [s.id for s in found.sessions]
    running = [(s.brand_slug, s.zone, s.id) for s in found.sessions if s.state == "running"]
    events = sum(len(v) for v in found.events.values())
    comments = sum(len(v) for v in found.comments.values())
    if own:
        # Explicitly, not by the foreign keys' cascade (SQLite enforces it only when told).
        await db.execute(delete(TrainingEvent).where(TrainingEvent.session_id.in_(own)))
        await db.execute(delete(TrainingComment).where(TrainingComment.session_id.in_(own)))
        await db.execute(delete(TrainingSession).where(TrainingSession.id.in_(own)))
    for remark in found.written:
        remark.author_id = ""
        remark.author = ""
    for session in found.assigned:
        session.assigned_by = None
    for scenario in found.scenarios:
        scenario.updated_by = None
    await db.flush()
    return Erased(
        sessions=len(own),
        events=events,
        comments=comments,
        remarks_unsigned=len(found.written),
        assignments_cleared=len(found.assigned),
        scenarios_unsigned=len(found.scenarios),
        running=running,
    )
