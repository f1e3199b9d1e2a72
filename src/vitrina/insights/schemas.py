from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from vitrina.core.schemas import RequestModel as StrictModel
from vitrina.core.timerange import AwareInstant

Name = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
SignalType = Literal["dwell", "gaze", "click", "view", "configure", "ask", "book", "buy"]


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

    kind: Literal["dwell", "click", "view", "configure", "ask", "book", "buy"]
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


# --- personas and recommendations ------------------------------------------------------

Locale = Literal["en", "fr", "it"]
Texts = dict[Locale, str]


class PersonaIn(StrictModel):
    key: str = Name
    # Every language the store speaks: a persona is shown to everyone.
    name: dict[Locale, str] = Field(min_length=3, max_length=3)
    greeting: dict[Locale, str] = Field(min_length=3, max_length=3)
    route: list[str] = Field(default_factory=list, max_length=50)
    # Product slug -> boost in [0, 1] for this persona's recommendations.
    weights: dict[str, float] = Field(default_factory=dict, max_length=500)


class PersonasIn(StrictModel):
    personas: list[PersonaIn] = Field(max_length=20)


class PersonaRead(BaseModel):
    key: str
    name: dict[str, str]
    greeting: dict[str, str]
    route: list[str]
    weights: dict[str, float]


class PersonaChoiceIn(StrictModel):
    persona: str | None = Field(default=None, min_length=1, max_length=64)


class PersonaChoiceRead(BaseModel):
    persona: str | None
    stored: bool


class Reason(BaseModel):
    """One signal or rule behind a recommendation."""

    code: Literal["similar", "others", "persona", "popular", "surprise"]
    product: str | None = None
    signal: str | None = None


class RecommendationRead(BaseModel):
    product: str
    name: dict[str, str]
    score: float
    surprise: bool
    # "Something different" in each language for the surprise slot, else empty.
    label: dict[str, str]
    why: dict[str, str]
    reasons: list[Reason]


class RecommendationsRead(BaseModel):
    personalised: bool
    persona: str | None
    items: list[RecommendationRead]
