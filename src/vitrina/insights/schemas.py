from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from vitrina.core.schemas import RequestModel as StrictModel
from vitrina.core.timerange import AwareInstant

Name = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
SignalType = Literal["dwell", "gaze", "click", "view"]


class GazeRay(StrictModel):
    """Checked for plausibility, then dropped: rays are never stored."""

    origin: tuple[float, float, float]
    direction: tuple[float, float, float]


class SignalIn(StrictModel):
    type: SignalType
    # Guests send signals about themselves and leave it out; integrations name the subject.
    subject: str | None = Field(default=None, max_length=64)
    product: str = Name
    part: str = Field(default="", max_length=64, pattern=r"^([a-z0-9][a-z0-9_-]*)?$")
    at: AwareInstant
    # Dwell and gaze: how long the part was looked at, in milliseconds.
    duration_ms: float | None = None
    ray: GazeRay | None = None


class SignalBatch(StrictModel):
    brand: str = Field(min_length=1, max_length=64)
    events: list[SignalIn] = Field(min_length=1, max_length=5000)


class IngestResult(BaseModel):
    accepted: int
    rejected: dict[str, int]


class Evidence(BaseModel):
    """One consented signal behind a personalised element."""

    kind: Literal["dwell", "click", "view"]
    purpose: str
    product: str
    part: str
    count: int
    total_ms: int
    last_at: datetime


class WhyRead(BaseModel):
    product: str
    personalised: bool
    explanation: str
    evidence: list[Evidence]


class InterestRead(BaseModel):
    product: str
    score: float
