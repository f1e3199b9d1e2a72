from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vitrina.core.json_value import JsonObject
from vitrina.core.schemas import RequestModel
from vitrina.core.timerange import Instant
from vitrina.crm.identifiers import MAX_CHAIN_ID, IdentityKind


class StrictModel(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)


Tag = str


class IdentityCreate(StrictModel):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=255)
    chain_id: int | None = Field(default=None, ge=1, le=MAX_CHAIN_ID)


class IdentityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    profile_id: str
    kind: str
    value: str
    chain_id: int | None
    verified_at: datetime | None
    source: str
    created_at: datetime


class CustomerCreate(StrictModel):
    brand: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=120)
    locale: str | None = Field(default=None, max_length=8)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    identities: list[IdentityCreate] = Field(default_factory=list, max_length=20)


class CustomerUpdate(StrictModel):
    display_name: str | None = Field(default=None, max_length=120)
    locale: str | None = Field(default=None, max_length=8)
    tags: list[Tag] | None = Field(default=None, max_length=50)


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_id: str
    display_name: str
    locale: str | None
    tags: list[str]
    merged_into_id: str | None
    created_at: datetime
    updated_at: datetime


class CustomerPage(BaseModel):
    items: list[CustomerRead]
    total: int
    offset: int
    limit: int


class TimelineEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    profile_id: str
    kind: str
    channel: str
    summary: str
    data: dict[str, Any]
    occurred_at: datetime


class TimelineAppend(StrictModel):
    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")
    summary: str = Field(max_length=500)
    channel: str = Field(default="", max_length=32)
    data: JsonObject = Field(default_factory=dict)
    occurred_at: Instant | None = None


class NoteCreate(StrictModel):
    body: str = Field(min_length=1, max_length=5000)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    profile_id: str
    author_id: str | None
    author_name: str
    body: str
    created_at: datetime


class MergeCreate(StrictModel):
    survivor_id: str = Field(max_length=36)
    merged_id: str = Field(max_length=36)
    reason: str = Field(min_length=3, max_length=500)


class MergeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    survivor_id: str
    merged_id: str
    actor: str
    reason: str
    created_at: datetime
    undone_at: datetime | None
    undone_by: str | None


class ConsentRead(BaseModel):
    purpose: str
    granted: bool
    in_force: bool
    recorded_at: datetime | None


class Customer360(BaseModel):
    profile: CustomerRead
    merged_profile_ids: list[str]
    identities: list[IdentityRead]
    consents: list[ConsentRead]
    timeline: list[TimelineEntryRead]
    notes: list[NoteRead]
    merges: list[MergeRead]


class ServiceRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    performed_on: date
    mileage_km: int
    description: str


class VehicleRead(BaseModel):
    vin: str
    model: str
    year: int
    registration: str
    service_history: list[ServiceRecordRead]


class ContractRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: str
    product: str
    currency: str
    balance_minor: int
    monthly_payment_minor: int
    next_payment_on: date | None
    ends_on: date | None


class AccountRead(BaseModel):
    customer_id: str
    display_name: str
    contracts: list[ContractRead]
    vehicles: list[VehicleRead]


ImportFormat = Literal["csv", "json"]
