from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vitrina.core.schemas import RequestModel as StrictModel

Locale = Literal["en", "fr", "it"]
Slug = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")


class Box(StrictModel):
    """An axis-aligned box on the floor plan, in metres (x east, z south, y up)."""

    min_x: float
    min_z: float
    max_x: float
    max_z: float
    height: float = Field(default=4.0, gt=0, le=50)

    @model_validator(mode="after")
    def _ordered(self) -> Box:
        if self.min_x >= self.max_x or self.min_z >= self.max_z:
            raise ValueError("a box needs min < max on both axes")
        return self


class Stand(StrictModel):
    id: str = Field(min_length=1, max_length=64)
    product_slug: str | None = Field(default=None, max_length=64)
    x: float
    z: float
    rotation_deg: float = 0.0
    label: dict[Locale, str] = Field(default_factory=dict)


class Sign(StrictModel):
    x: float
    y: float = 3.0
    z: float
    rotation_deg: float = 0.0
    text: dict[Locale, str]


class Zone(StrictModel):
    name: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")
    title: dict[Locale, str]
    bounds: Box
    capacity: int = Field(default=50, ge=1, le=500)
    floor_color: str = Field(default="#d9d4cc", pattern=r"^#[0-9a-fA-F]{6}$")
    spawn: tuple[float, float] | None = None
    stands: list[Stand] = Field(default_factory=list)
    signs: list[Sign] = Field(default_factory=list)


class StoreLayout(StrictModel):
    zones: list[Zone] = Field(min_length=1)
    wall_color: str = Field(default="#f4f1ec", pattern=r"^#[0-9a-fA-F]{6}$")
    accent_color: str = Field(default="#0a6cff", pattern=r"^#[0-9a-fA-F]{6}$")

    @model_validator(mode="after")
    def _unique_zone_names(self) -> StoreLayout:
        names = [z.name for z in self.zones]
        if len(names) != len(set(names)):
            raise ValueError("zone names must be unique")
        return self


class BrandCreate(StrictModel):
    slug: str = Slug
    name: str = Field(min_length=1, max_length=120)
    default_locale: Locale = "en"
    locales: list[Locale] = Field(default_factory=lambda: list[Locale](["en"]), min_length=1)
    timezone: str = Field(default="UTC", max_length=64)
    content: dict[Locale, dict[str, str]] = Field(default_factory=dict)
    layout: StoreLayout
    theme: dict[str, str] = Field(default_factory=dict)


class BrandUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    locales: list[Locale] | None = Field(default=None, min_length=1)
    timezone: str | None = Field(default=None, max_length=64)
    content: dict[Locale, dict[str, str]] | None = None
    layout: StoreLayout | None = None
    theme: dict[str, str] | None = None


class BrandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    slug: str
    name: str
    default_locale: str
    locales: list[str]
    timezone: str
    content: dict[str, dict[str, str]]
    layout: StoreLayout
    theme: dict[str, str]
    updated_at: datetime
