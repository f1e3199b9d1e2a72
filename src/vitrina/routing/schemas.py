from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from vitrina.core.schemas import RequestModel as StrictModel

Name = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
Named = Annotated[str, Name]


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class PresenceUpdate(StrictModel):
    status: Presence
    capacity: int | None = Field(default=None, ge=1, le=20)
    languages: list[Literal["en", "fr", "it"]] | None = None
    product_lines: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=20
    )
    queues: list[Named] | None = Field(default=None, max_length=20)


class AdvisorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    user_id: str
    display_name: str
    status: Presence
    capacity: int
    languages: list[str]
    product_lines: list[str]
    queues: list[str]
    brand_slugs: list[str]
    idle_since: datetime
    active: int = 0


class QueueCreate(StrictModel):
    brand: str = Field(min_length=1, max_length=64)
    name: str = Name
    title: str = Field(min_length=1, max_length=120)
    sla_s: int = Field(default=120, ge=5, le=24 * 3600)


class QueueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_slug: str
    name: str
    title: str
    sla_s: int


class QueuePlace(BaseModel):
    """What the customer sees while waiting."""

    conversation_id: str
    position: int
    ahead: int
    advisors_online: int
    estimate_s: int


class TransferRequest(StrictModel):
    queue: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    advisor_id: str | None = Field(default=None, max_length=36)
    reason: str = Field(default="transferred", max_length=255)


class ConsoleHello(BaseModel):
    """The first frame on /ws/console."""

    type: Literal["hello"] = "hello"
    user_id: str
    status: str


class CsatFigures(BaseModel):
    """A brand's satisfaction over a period, as the supervisor reads it."""

    brand_slug: str
    days: int
    resolved: int
    rated: int
    response_rate: float  # rated / resolved
    average: float | None  # None while nobody rated
    scores: dict[str, int]  # "1".."5": how many gave that score
