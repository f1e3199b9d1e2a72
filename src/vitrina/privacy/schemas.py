from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vitrina.core.schemas import RequestModel as StrictModel
from vitrina.privacy.subjects import SUBJECT_PATTERN
from vitrina.privacy.texts import Purpose

if TYPE_CHECKING:
    from vitrina.privacy.models import PrivacyRequest

Locale = Literal["en", "fr", "it"]
Channel = Literal["storefront_3d", "storefront_2d", "privacy_centre", "agent", "api"]
RequestKind = Literal["access", "erasure"]
# `review`: a known customer's erasure waiting for the DPO (see privacy.referrals).
RequestStatus = Literal["review", "pending", "running", "done", "failed"]


class PurposeText(StrictModel):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=2000)


class PurposeRead(BaseModel):
    purpose: Purpose
    version: int
    required: bool
    locale: str
    title: str
    body: str
    # Every locale, so a client can switch language without another request.
    texts: dict[str, PurposeText]


class PurposeVersionCreate(StrictModel):
    texts: dict[Locale, PurposeText] = Field(min_length=1)
    requires_reconsent: bool = False

    @model_validator(mode="after")
    def _english_fallback(self) -> PurposeVersionCreate:
        if "en" not in self.texts:
            raise ValueError("every version needs an English text, the fallback locale")
        return self


class PurposeVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    purpose: str
    version: int
    requires_reconsent: bool
    published_at: datetime
    published_by: str


class ConsentUpdate(StrictModel):
    choices: dict[Purpose, bool] = Field(min_length=1)
    channel: Channel


class ConsentStatusRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    purpose: Purpose
    granted: bool
    in_force: bool
    text_version: int | None
    current_version: int
    recorded_at: datetime | None


class ConsentStateRead(BaseModel):
    subject: str
    # True until the subject has answered every optional purpose at its current version.
    prompt_needed: bool
    purposes: list[ConsentStatusRead]


class ConsentRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    purpose: str
    granted: bool
    text_version: int
    channel: str
    recorded_at: datetime


class RequestCreate(StrictModel):
    kind: RequestKind


class DpoRequestCreate(StrictModel):
    brand: str = Field(min_length=1, max_length=64)
    subject: str = Field(pattern=SUBJECT_PATTERN)
    kind: RequestKind
    reason: str = Field(min_length=3, max_length=500)


class PrivacyRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_id: str
    subject: str
    kind: str
    status: RequestStatus
    progress: float
    step: str
    requested_by: str
    requested_at: datetime
    due_at: datetime
    completed_at: datetime | None
    overdue: bool = False
    archive_bytes: int | None
    summary: dict[str, int]

    @classmethod
    def of(cls, req: PrivacyRequest) -> PrivacyRequestRead:
        out = cls.model_validate(req)
        out.overdue = req.status != "done" and req.due_at < datetime.now(UTC)
        return out


class ErasureStatusRead(BaseModel):
    """What became of a visitor's erasure: their session's data (erased at once), and
    their customer account when they had proved who they are (referred to the DPO)."""

    session_request: PrivacyRequestRead | None
    customer_request: PrivacyRequestRead | None
    # Why some records are kept for now, as codes the client words: "financing_contract".
    legal_holds: list[str]


class PrivacyRequestPage(BaseModel):
    items: list[PrivacyRequestRead]
    total: int
    offset: int
    limit: int


class AccessAuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    brand_id: str
    staff_user_id: str | None
    staff_name: str
    subject: str
    what: str
    why: str
    at: datetime


class AccessAuditPage(BaseModel):
    items: list[AccessAuditRead]
    total: int
    offset: int
    limit: int
