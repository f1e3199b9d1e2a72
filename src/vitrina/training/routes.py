"""HTTP API of advisor training (docs/training.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import HTTPConnection

from vitrina.api.deps import DbSession, require_roles
from vitrina.core.components import components_of
from vitrina.core.security import Principal, Role
from vitrina.training import service
from vitrina.training.models import TrainingSession
from vitrina.training.nlu import BotReader
from vitrina.training.runner import TrainingRooms
from vitrina.training.scenario import ScenarioInvalid, parse_scenario
from vitrina.training.schemas import (
    CommentRead,
    CommentWrite,
    DryRunRead,
    DryRunWrite,
    DryTurnRead,
    LineRead,
    ProblemRead,
    ProgressPoint,
    ProgressRead,
    ReplayEventRead,
    ReplayRead,
    ReplyWrite,
    RevealedRead,
    ScenarioSource,
    ScenarioSummary,
    ScenarioWrite,
    ScoreRead,
    SessionRead,
    SessionWrite,
    StaffErasedRead,
    StaffRecordsRead,
    StaffRemarkRecord,
    StaffSessionRecord,
    ValidationRead,
)

TRAINEES = require_roles(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
COACHES = require_roles(Role.SUPERVISOR, Role.ADMIN)
RECORD_KEEPERS = require_roles(Role.ADMIN, Role.DPO)
Trainee = Annotated[Principal, Depends(TRAINEES)]
RecordKeeper = Annotated[Principal, Depends(RECORD_KEEPERS)]
Coach = Annotated[Principal, Depends(COACHES)]


def get_rooms(conn: HTTPConnection) -> TrainingRooms:
    return components_of(conn).get(TrainingRooms)


def get_reader(conn: HTTPConnection) -> BotReader:
    return components_of(conn).get(BotReader)


Rooms = Annotated[TrainingRooms, Depends(get_rooms)]
Reader = Annotated[BotReader, Depends(get_reader)]

router = APIRouter(prefix="/api/training", tags=["training"])


# --------------------------------------------------------------------------- scenarios


@router.get(
    "/brands/{slug}/scenarios",
    response_model=list[ScenarioSummary],
    summary="The brand's scenarios, without script, hidden facts or rubric (advisors)",
)
async def list_scenarios(
    slug: str, principal: Trainee, db: DbSession, language: str = "en"
) -> list[ScenarioSummary]:
    found = await service.list_scenarios(db, principal=principal, brand=slug)
    return [
        ScenarioSummary(
            slug=row.slug,
            title=s.title.get(language),
            summary=s.summary.get(language),
            difficulty=s.difficulty,
            persona=s.persona.name,
            mood=s.persona.mood,
            zone=s.room.zone,
            products=list(s.room.products),
        )
        for row, s in found
    ]


@router.get(
    "/brands/{slug}/scenarios/{scenario}",
    response_model=ScenarioSource,
    summary="A scenario's YAML source (supervisors and admins)",
)
async def get_scenario(slug: str, scenario: str, principal: Coach, db: DbSession) -> ScenarioSource:
    row = await service.get_scenario(db, principal=principal, brand=slug, slug=scenario)
    return ScenarioSource(
        slug=row.slug,
        brand=row.brand_slug,
        source=row.source,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


@router.put(
    "/brands/{slug}/scenarios/{scenario}",
    response_model=ScenarioSource,
    summary="Create or replace a scenario; invalid YAML is refused with line and column (supervisors and admins)",
)
async def put_scenario(
    slug: str, scenario: str, body: ScenarioWrite, principal: Coach, db: DbSession, reader: Reader
) -> ScenarioSource:
    row = await service.save_scenario(
        db, principal=principal, brand=slug, slug=scenario, source=body.source, reader=reader
    )
    return ScenarioSource(
        slug=row.slug,
        brand=row.brand_slug,
        source=row.source,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


@router.post(
    "/brands/{slug}/scenarios/validate",
    response_model=ValidationRead,
    summary="Check a scenario's YAML; each problem at its line and column (supervisors and admins)",
)
async def validate_scenario(
    slug: str, body: ScenarioWrite, principal: Coach, db: DbSession, reader: Reader
) -> ValidationRead:
    service.check_coach(principal, slug)
    context = await service.context_for(db, brand=slug, reader=reader)
    try:
        parse_scenario(body.source, context)
    except ScenarioInvalid as exc:
        return ValidationRead(
            valid=False,
            problems=[ProblemRead(**p) for p in service.problems_json(exc.problems)],
        )
    return ValidationRead(valid=True, problems=[])


@router.post(
    "/brands/{slug}/scenarios/dry-run",
    response_model=DryRunRead,
    summary="Play sample replies against a scenario: the path taken and the score (supervisors and admins)",
)
async def dry_run(
    slug: str, body: DryRunWrite, principal: Coach, db: DbSession, reader: Reader
) -> DryRunRead:
    service.check_coach(principal, slug)
    scenario = await service.validate(db, brand=slug, source=body.source, reader=reader)
    result = await service.dry_run(
        scenario,
        brand=slug,
        language=body.language,
        replies=[(r.text, r.after_s) for r in body.replies],
        reader=reader,
    )
    return DryRunRead(
        path=result.path,
        outcome=result.outcome,
        turns=[
            DryTurnRead(
                who=t.who,
                text=t.text,
                at=round(t.at, 1),
                step=t.step,
                intent=t.intent,
                confidence=t.confidence,
                labels=list(t.labels),
                criteria=list(t.criteria),
                escalation=t.escalation,
            )
            for t in result.turns
        ],
        score=ScoreRead.model_validate(result.score.to_json()),
    )


# --------------------------------------------------------------------------- sessions


async def session_read(
    db: DbSession, session: TrainingSession, principal: Principal
) -> SessionRead:
    scenario = service.scenario_of(session)
    lang = session.language
    events = await service.events_of(db, session_id=session.id)
    state = session.engine or {}
    ended = session.state == "ended"
    revealed = None
    if ended:
        revealed = RevealedRead(
            goal=scenario.persona.goal.get(lang),
            hidden_facts=[f.text.get(lang) for f in scenario.persona.hidden_facts],
            path=list(state.get("path", [])),
        )
    comments = await service.comments_of(db, session_id=session.id)
    return SessionRead(
        id=session.id,
        brand=session.brand_slug,
        scenario=session.scenario_slug,
        title=scenario.title.get(lang),
        summary=scenario.summary.get(lang),
        persona=scenario.persona.name,
        mood=str(state.get("mood", scenario.persona.mood)),
        language=lang,
        state=session.state,
        trainee_id=session.trainee_id,
        assigned_by=session.assigned_by,
        zone=session.zone
        if session.state == "running" and principal.user_id == session.trainee_id
        else None,
        created_at=session.created_at,
        started_at=session.started_at,
        ended_at=session.ended_at,
        duration_s=session.duration_s,
        outcome=session.outcome,
        transcript=[
            LineRead(
                seq=e.seq,
                at=e.offset_s,
                who=e.who,
                line=e.line,
                escalation=bool(e.detail.get("escalation")),
            )
            for e in events
            if e.kind == "say"
        ],
        score=ScoreRead.model_validate(session.score) if ended and session.score else None,
        revealed=revealed,
        comments=[
            CommentRead(
                id=c.id, author=c.author, remark=c.remark, seq=c.seq, created_at=c.created_at
            )
            for c in comments
        ],
    )


@router.post(
    "/sessions",
    response_model=SessionRead,
    status_code=201,
    summary="Start a session for oneself, or assign one to an advisor (advisors; assigning: supervisors and admins)",
)
async def create_session(body: SessionWrite, principal: Trainee, db: DbSession) -> SessionRead:
    session = await service.create_session(
        db,
        principal=principal,
        brand=body.brand,
        scenario_slug=body.scenario,
        language=body.language,
        trainee_id=body.trainee_id,
    )
    return await session_read(db, session, principal)


@router.get(
    "/sessions",
    response_model=list[SessionRead],
    summary="Sessions of a brand: an advisor's own, or every advisor's for coaches (advisors)",
)
async def list_sessions(
    principal: Trainee,
    db: DbSession,
    brand: Annotated[str, Query(min_length=1, max_length=64)],
    trainee: Annotated[str | None, Query(max_length=36)] = None,
) -> list[SessionRead]:
    rows = await service.list_sessions(db, principal=principal, brand=brand, trainee_id=trainee)
    return [await session_read(db, s, principal) for s in rows]


@router.get(
    "/sessions/{session_id}",
    response_model=SessionRead,
    summary="A session: transcript so far; score and hidden facts once ended (its trainee, coaches)",
)
async def get_session(session_id: str, principal: Trainee, db: DbSession) -> SessionRead:
    session = await service.get_session(db, principal=principal, session_id=session_id)
    return await session_read(db, session, principal)


@router.post(
    "/sessions/{session_id}/start",
    response_model=SessionRead,
    summary="Open the private training room and bring in the simulated customer (its trainee)",
)
async def start_session(
    session_id: str, principal: Trainee, db: DbSession, rooms: Rooms
) -> SessionRead:
    await service.get_session(db, principal=principal, session_id=session_id)
    session = await rooms.begin(principal, session_id)
    return await _fresh(db, session.id, principal)


@router.post(
    "/sessions/{session_id}/replies",
    response_model=SessionRead,
    summary="Say something to the simulated customer (its trainee)",
)
async def reply(
    session_id: str, body: ReplyWrite, principal: Trainee, db: DbSession, rooms: Rooms
) -> SessionRead:
    await service.get_session(db, principal=principal, session_id=session_id)
    await rooms.say(principal, session_id, body.text)
    return await _fresh(db, session_id, principal)


@router.post(
    "/sessions/{session_id}/end",
    response_model=SessionRead,
    summary="End a session now; it is scored as it stands (its trainee, coaches)",
)
async def end_session(
    session_id: str, principal: Trainee, db: DbSession, rooms: Rooms
) -> SessionRead:
    await service.get_session(db, principal=principal, session_id=session_id)
    await rooms.stop(principal, session_id)
    return await _fresh(db, session_id, principal)


async def _fresh(db: DbSession, session_id: str, principal: Principal) -> SessionRead:
    """The session as another transaction just left it."""
    db.expire_all()
    session = await service.get_session(db, principal=principal, session_id=session_id)
    return await session_read(db, session, principal)


@router.get(
    "/sessions/{session_id}/replay",
    response_model=ReplayRead,
    summary="Every event with its time: lines, how each reply was read, avatar moves (its trainee once ended, coaches)",
)
async def replay(session_id: str, principal: Trainee, db: DbSession) -> ReplayRead:
    session = await service.get_session(db, principal=principal, session_id=session_id)
    service.check_replay(principal, session)
    events = await service.events_of(db, session_id=session.id)
    return ReplayRead(
        session=await session_read(db, session, principal),
        events=[
            ReplayEventRead(
                seq=e.seq, at=e.offset_s, who=e.who, kind=e.kind, line=e.line, detail=e.detail
            )
            for e in events
        ],
    )


@router.post(
    "/sessions/{session_id}/comments",
    response_model=CommentRead,
    status_code=201,
    summary="Comment on a session or one of its moments (supervisors and admins)",
)
async def comment(
    session_id: str, body: CommentWrite, principal: Coach, db: DbSession
) -> CommentRead:
    session = await service.get_session(db, principal=principal, session_id=session_id)
    made = await service.comment(
        db, principal=principal, session=session, remark=body.remark, seq=body.seq
    )
    return CommentRead(
        id=made.id, author=made.author, remark=made.remark, seq=made.seq, created_at=made.created_at
    )


@router.get(
    "/progress",
    response_model=ProgressRead,
    summary="An advisor's scores over time and pass rate per rubric item (own; coaches: any advisor)",
)
async def progress(
    principal: Trainee,
    db: DbSession,
    brand: Annotated[str, Query(min_length=1, max_length=64)],
    trainee: Annotated[str | None, Query(max_length=36)] = None,
) -> ProgressRead:
    found = await service.progress(db, principal=principal, brand=brand, trainee_id=trainee)
    percents = [s.score_percent for s in found.sessions if s.score_percent is not None]
    return ProgressRead(
        trainee_id=found.trainee_id,
        sessions=len(found.sessions),
        average_percent=round(sum(percents) / len(percents), 1) if percents else None,
        points=[
            ProgressPoint(
                session_id=s.id,
                scenario=s.scenario_slug,
                ended_at=s.ended_at,
                percent=s.score_percent,
                outcome=s.outcome,
            )
            for s in found.sessions
        ],
        items=found.items,
    )


routers = [router]


# --------------------------------------------------------------------------- staff records


@router.get(
    "/brands/{slug}/staff/{user_id}/records",
    response_model=StaffRecordsRead,
    summary="A member of staff's training records in the brand: sessions, transcripts, "
    "scores, remarks (admins, data-protection officer)",
)
async def staff_records(
    slug: str, user_id: str, principal: RecordKeeper, db: DbSession
) -> StaffRecordsRead:
    found = await service.trainee_records(db, principal=principal, brand=slug, user_id=user_id)
    return StaffRecordsRead(
        brand=slug,
        user_id=user_id,
        sessions=[
            StaffSessionRecord(
                id=s.id,
                scenario=s.scenario_slug,
                language=s.language,
                state=s.state,
                outcome=s.outcome,
                assigned_by=s.assigned_by,
                created_at=s.created_at,
                started_at=s.started_at,
                ended_at=s.ended_at,
                duration_s=s.duration_s,
                score_percent=s.score_percent,
                score=s.score,
                events=[
                    ReplayEventRead(
                        seq=e.seq,
                        at=e.offset_s,
                        who=e.who,
                        kind=e.kind,
                        line=e.line,
                        detail=e.detail,
                    )
                    for e in found.events[s.id]
                ],
                comments=[
                    CommentRead(
                        id=c.id,
                        author=c.author,
                        remark=c.remark,
                        seq=c.seq,
                        created_at=c.created_at,
                    )
                    for c in found.comments[s.id]
                ],
            )
            for s in found.sessions
        ],
        remarks_written=[
            StaffRemarkRecord(
                session_id=c.session_id, remark=c.remark, seq=c.seq, created_at=c.created_at
            )
            for c in found.written
        ],
        sessions_assigned=[s.id for s in found.assigned],
        scenarios_saved=[s.slug for s in found.scenarios],
    )


@router.delete(
    "/brands/{slug}/staff/{user_id}/records",
    response_model=StaffErasedRead,
    summary="Erase a member of staff's training records in the brand (admins, "
    "data-protection officer)",
)
async def erase_staff_records(
    slug: str, user_id: str, principal: RecordKeeper, rooms: Rooms
) -> StaffErasedRead:
    erased = await rooms.erase_trainee(principal, slug, user_id)
    return StaffErasedRead(
        brand=slug,
        user_id=user_id,
        sessions=erased.sessions,
        events=erased.events,
        comments=erased.comments,
        remarks_unsigned=erased.remarks_unsigned,
        assignments_cleared=erased.assignments_cleared,
        scenarios_unsigned=erased.scenarios_unsigned,
    )
