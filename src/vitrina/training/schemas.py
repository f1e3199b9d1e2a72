"""API shapes of the training domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from vitrina.core.schemas import RequestModel

Language = Literal["en", "fr", "it"]


class ScenarioSummary(BaseModel):
    """What a trainee may know before a session: no script, facts or rubric."""

    slug: str
    title: str
    summary: str
    difficulty: str
    persona: str
    mood: str
    zone: str
    products: list[str]


class ScenarioSource(BaseModel):
    slug: str
    brand: str
    source: str
    updated_at: datetime
    updated_by: str | None


class ScenarioWrite(RequestModel):
    source: str = Field(min_length=1, max_length=200_000)


class ProblemRead(BaseModel):
    line: int
    column: int
    path: str
    message: str


class ValidationRead(BaseModel):
    valid: bool
    problems: list[ProblemRead]


class SampleReply(RequestModel):
    text: str = Field(min_length=1, max_length=1000)
    # Seconds the trainee waits before this reply (default 5).
    after_s: float | None = Field(default=None, ge=0, le=3600)


class DryRunWrite(RequestModel):
    source: str = Field(min_length=1, max_length=200_000)
    language: Language = "en"
    replies: list[SampleReply] = Field(min_length=1, max_length=100)


class DryTurnRead(BaseModel):
    who: str
    text: str
    at: float
    step: str
    intent: str | None
    confidence: float
    labels: list[str]
    criteria: list[str]
    escalation: bool


class EvidenceRead(BaseModel):
    seq: int
    at: float
    text: str


class ItemScoreRead(BaseModel):
    id: str
    kind: str
    title: str
    points: int
    earned: int
    passed: bool
    reason: str
    evidence: EvidenceRead | None


class ScoreRead(BaseModel):
    earned: int
    total: int
    percent: int
    items: list[ItemScoreRead]


class DryRunRead(BaseModel):
    path: list[str]
    outcome: str | None
    turns: list[DryTurnRead]
    score: ScoreRead


class SessionWrite(RequestModel):
    brand: str = Field(min_length=1, max_length=64)
    scenario: str = Field(min_length=1, max_length=64)
    language: Language = "en"
    # A supervisor or admin assigns the session to this advisor (default: oneself).
    trainee_id: str | None = Field(default=None, max_length=36)


class ReplyWrite(RequestModel):
    text: str = Field(min_length=1, max_length=1000)


class CommentWrite(RequestModel):
    remark: str = Field(min_length=1, max_length=4000)
    # The replay event the remark is about, if any.
    seq: int | None = Field(default=None, ge=1, le=1_000_000)


class LineRead(BaseModel):
    seq: int
    at: float
    who: str
    line: str
    escalation: bool = False


class CommentRead(BaseModel):
    id: str
    author: str
    remark: str
    seq: int | None
    created_at: datetime


class RevealedRead(BaseModel):
    """Shown once the session has ended: what the customer knew and the path taken."""

    goal: str
    hidden_facts: list[str]
    path: list[str]


class SessionRead(BaseModel):
    id: str
    brand: str
    scenario: str
    title: str
    summary: str
    persona: str
    mood: str
    language: str
    state: str
    trainee_id: str
    assigned_by: str | None
    # The private world zone to join while the session runs (the trainee's only).
    zone: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    outcome: str | None
    transcript: list[LineRead]
    score: ScoreRead | None
    revealed: RevealedRead | None
    comments: list[CommentRead]


class ReplayEventRead(BaseModel):
    seq: int
    at: float
    who: str
    kind: str
    line: str
    detail: dict[str, Any]


class ReplayRead(BaseModel):
    session: SessionRead
    events: list[ReplayEventRead]


class ProgressPoint(BaseModel):
    session_id: str
    scenario: str
    ended_at: datetime | None
    percent: int | None
    outcome: str | None


class ProgressRead(BaseModel):
    trainee_id: str
    sessions: int
    average_percent: float | None
    points: list[ProgressPoint]
    items: dict[str, float]


class StaffSessionRecord(BaseModel):
    id: str
    scenario: str
    language: str
    state: str
    outcome: str | None
    assigned_by: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    score_percent: int | None
    score: dict[str, Any] | None
    events: list[ReplayEventRead]
    comments: list[CommentRead]


class StaffRemarkRecord(BaseModel):
    session_id: str
    remark: str
    seq: int | None
    created_at: datetime


class StaffRecordsRead(BaseModel):
    """What training holds about one member of staff in one brand (their access request)."""

    brand: str
    user_id: str
    sessions: list[StaffSessionRecord]
    remarks_written: list[StaffRemarkRecord]
    sessions_assigned: list[str]
    scenarios_saved: list[str]


class StaffErasedRead(BaseModel):
    brand: str
    user_id: str
    sessions: int
    events: int
    comments: int
    remarks_unsigned: int
    assignments_cleared: int
    scenarios_unsigned: int
