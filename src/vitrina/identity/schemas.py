from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from vitrina.core.schemas import RequestModel
from vitrina.core.security import Role

StaffRole = Literal["superadmin", "admin", "supervisor", "agent", "dpo"]
BrandSlug = Annotated[str, Field(min_length=1, max_length=64)]


class StrictModel(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class LoginRequest(StrictModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    user_agent: str
    ip: str


class LoginResponse(BaseModel):
    token: str = Field(
        description="Opaque bearer token; also set as the HttpOnly vitrina_session cookie."
    )
    csrf_token: str
    expires_at: datetime
    user: StaffUserRead


class StaffUserCreate(StrictModel):
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=12, max_length=1024)
    roles: list[StaffRole] = Field(min_length=1)
    brand_slugs: list[BrandSlug] = Field(default_factory=list, max_length=100)


class StaffUserUpdate(StrictModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    password: str | None = Field(default=None, min_length=12, max_length=1024)
    roles: list[StaffRole] | None = Field(default=None, min_length=1)
    brand_slugs: list[BrandSlug] | None = Field(default=None, max_length=100)
    is_active: bool | None = None


class StaffUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    email: str
    display_name: str
    roles: list[Role]
    brand_slugs: list[str]
    is_active: bool
    created_at: datetime


class StaffUserPage(BaseModel):
    items: list[StaffUserRead]
    total: int
    offset: int
    limit: int


class GuestCreate(StrictModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=40)
    brand_slug: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    locale: Literal["en", "fr", "it"] = "en"

    @field_validator("display_name")
    @classmethod
    def _printable(cls, v: str | None) -> str | None:
        if v is not None and not v.isprintable():
            raise ValueError("display name must be printable text")
        return v


class GuestRead(BaseModel):
    id: str
    display_name: str
    token: str = Field(description="Signed guest token; also set as the vitrina_guest cookie.")
    csrf_token: str


class MeRead(BaseModel):
    kind: Literal["guest", "staff"]
    session_id: str
    display_name: str
    user_id: str | None
    roles: list[Role]
    brand_slugs: list[str]


LoginResponse.model_rebuild()
