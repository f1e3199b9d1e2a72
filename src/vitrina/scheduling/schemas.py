"""API shapes of the scheduling domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from vitrina.core.schemas import RequestModel as StrictModel
from vitrina.core.timerange import Day, Instant

Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Kind = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
Skill = Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Span = tuple[str, str]
WeeklyHours = dict[str, list[Span]]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give the instant with its UTC offset, e.g. 2027-03-05T14:00:00+01:00")
    return value


AwareDatetime = Annotated[Instant, AfterValidator(_aware)]


class HoursException(StrictModel):
    start: Day
    end: Day | None = None
    hours: list[Span] = Field(default_factory=list)
    reason: str = Field(default="", max_length=200)


class ResourceCreate(StrictModel):
    brand_slug: Slug
    kind: Kind
    name: str = Field(min_length=1, max_length=120)
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    timezone: str = Field(max_length=64)
    weekly_hours: WeeklyHours
    exceptions: list[HoursException] = Field(default_factory=list, max_length=500)
    buffer_before_min: int = Field(default=0, ge=0, le=240)
    buffer_after_min: int = Field(default=0, ge=0, le=240)


class ResourceUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    skills: list[Skill] | None = Field(default=None, max_length=50)
    timezone: str | None = Field(default=None, max_length=64)
    weekly_hours: WeeklyHours | None = None
    exceptions: list[HoursException] | None = Field(default=None, max_length=500)
    buffer_before_min: int | None = Field(default=None, ge=0, le=240)
    buffer_after_min: int | None = Field(default=None, ge=0, le=240)
    active: bool | None = None


class ResourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_slug: str
    kind: str
    name: str
    skills: list[str]
    timezone: str
    weekly_hours: dict[str, list[list[str]]]
    exceptions: list[dict[str, object]]
    buffer_before_min: int
    buffer_after_min: int
    active: bool


class RequirementIn(StrictModel):
    kind: Kind
    skills: list[Skill] = Field(default_factory=list, max_length=10)


class AppointmentTypeCreate(StrictModel):
    brand_slug: Slug
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=200)
    duration_min: int = Field(ge=5, le=8 * 60)
    requirements: list[RequirementIn] = Field(min_length=1, max_length=5)
    lead_time_min: int = Field(default=60, ge=0, le=30 * 24 * 60)
    horizon_days: int = Field(default=60, ge=1, le=365)
    slot_step_min: int = Field(default=30, ge=5, le=240)
    reminder_before_min: int = Field(default=24 * 60, ge=0, le=14 * 24 * 60)
    timezone: str | None = Field(default=None, max_length=64)


class AppointmentTypeUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    location: str | None = Field(default=None, max_length=200)
    duration_min: int | None = Field(default=None, ge=5, le=8 * 60)
    requirements: list[RequirementIn] | None = Field(default=None, min_length=1, max_length=5)
    lead_time_min: int | None = Field(default=None, ge=0, le=30 * 24 * 60)
    horizon_days: int | None = Field(default=None, ge=1, le=365)
    slot_step_min: int | None = Field(default=None, ge=5, le=240)
    reminder_before_min: int | None = Field(default=None, ge=0, le=14 * 24 * 60)
    active: bool | None = None


class AppointmentTypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_slug: str
    slug: str
    name: str
    description: str
    location: str
    duration_min: int
    requirements: list[dict[str, object]]
    lead_time_min: int
    horizon_days: int
    slot_step_min: int
    reminder_before_min: int
    timezone: str
    active: bool


class SlotRead(BaseModel):
    start: datetime
    end: datetime
    local_start: str = Field(description="Wall-clock start in the appointment type's time zone.")
    resource_ids: list[str]


class SlotPage(BaseModel):
    type: str
    timezone: str
    window_start: datetime
    window_end: datetime
    slots: list[SlotRead]


class SlotExplanation(BaseModel):
    start: datetime
    available: bool
    reasons: list[str]


class CustomerIn(StrictModel):
    email: EmailStr | None = None
    name: str = Field(default="", max_length=120)
    locale: Literal["en", "fr", "it"] = "en"


class BookingCreate(StrictModel):
    type: Slug
    start: Instant = Field(
        description="With a UTC offset, or local wall-clock time in the type's time zone."
    )
    resource_ids: list[str] | None = Field(default=None, max_length=5)
    customer: CustomerIn = Field(default_factory=CustomerIn)
    notes: str = Field(default="", max_length=2000)
    product: str = Field(
        default="",
        max_length=64,
        pattern=r"^([a-z0-9][a-z0-9-]*)?$",
        description="The catalog product the appointment is about (a test drive's car), if any.",
    )


class RescheduleRequest(StrictModel):
    start: Instant
    resource_ids: list[str] | None = Field(default=None, max_length=5)


class CancelRequest(StrictModel):
    reason: str = Field(default="", max_length=500)


class AllocatedResource(BaseModel):
    id: str
    name: str
    kind: str


class AppointmentRead(BaseModel):
    id: str
    brand_slug: str
    type_slug: str
    type_name: str
    location: str
    status: str
    start: datetime
    end: datetime
    timezone: str
    local_start: str
    hold_expires_at: datetime | None
    customer_ref: str
    customer_name: str
    customer_email: str | None
    resources: list[AllocatedResource]
    ics_uid: str
    sequence: int
    notes: str
    product: str = ""


class AgendaRead(BaseModel):
    brand_slug: str
    day: date
    timezone: str
    appointments: list[AppointmentRead]
