"""API shapes of the catalog. Prices travel as decimal strings, never as floats."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from vitrina.core.schemas import RequestModel

Locale = Literal["en", "fr", "it"]
LOCALES: tuple[str, ...] = ("en", "fr", "it")
SLUG = r"^[a-z0-9][a-z0-9_-]*$"
# glTF node and material names we can target: what our generator and common tools write.
PART_NAME = r"^[A-Za-z0-9_.:-]{1,64}$"
SHA256 = r"^[0-9a-f]{64}$"
COLOR = r"^#[0-9a-fA-F]{6}$"


def _refuse_floats(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(
            'prices are decimal strings such as "39900.00": a JSON number with a fraction is '
            "not exact"
        )
    return value


Price = Annotated[str | int, BeforeValidator(_refuse_floats)]


class StrictModel(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class Text(StrictModel):
    """A text in English, French and Italian; a missing translation falls back to English."""

    en: str = Field(min_length=1, max_length=4000)
    fr: str = Field(default="", max_length=4000)
    it: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _fallback_to_english(self) -> Text:
        if not self.fr:
            self.fr = self.en
        if not self.it:
            self.it = self.en
        return self

    def get(self, locale: str) -> str:
        text: str = getattr(self, locale, self.en)
        return text


class Effect(StrictModel):
    """What choosing an option does to the digital twin.

    - `material_color`: `target` is a material name, `value` a colour `#rrggbb`;
    - `visibility`: `target` is a node name, `value` true (show) or false (hide);
    - `part_swap`: `target` is a node name, `value` the node shown in its place (the
      replacement node starts hidden; see `hidden_parts`).
    """

    kind: Literal["material_color", "part_swap", "visibility"]
    target: str = Field(pattern=PART_NAME)
    value: str | bool

    @model_validator(mode="after")
    def _value_matches_kind(self) -> Effect:
        if self.kind == "visibility":
            if not isinstance(self.value, bool):
                raise ValueError("a visibility effect needs a boolean value")
        elif not isinstance(self.value, str):
            raise ValueError(f"a {self.kind} effect needs a text value")
        elif self.kind == "material_color" and not re.match(COLOR, self.value):
            raise ValueError("a material_color value is a colour like #1a2b3c")
        elif self.kind == "part_swap" and not re.match(PART_NAME, self.value):
            raise ValueError("a part_swap value is a node name")
        return self


class OptionIn(StrictModel):
    id: str = Field(min_length=1, max_length=64, pattern=SLUG)
    name: Text
    description: Text | None = None
    price_delta: Price = Field(
        default="0", description='Decimal string added to the base price, e.g. "1200.00".'
    )
    default: bool = False
    effects: list[Effect] = Field(default_factory=list, max_length=32)


class OptionGroupIn(StrictModel):
    id: str = Field(min_length=1, max_length=64, pattern=SLUG)
    name: Text
    min_choices: int = Field(default=0, ge=0, le=64)
    max_choices: int = Field(default=1, ge=1, le=64)
    options: list[OptionIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _bounds(self) -> OptionGroupIn:
        if self.min_choices > self.max_choices:
            raise ValueError("min_choices cannot exceed max_choices")
        return self


class RuleIn(StrictModel):
    """`requires`: choosing `option` needs every target; `only_with`: `option` is only
    available with at least one target; `excludes`: `option` forbids every target."""

    id: str = Field(min_length=1, max_length=64, pattern=SLUG)
    kind: Literal["requires", "excludes", "only_with"]
    option: str = Field(min_length=1, max_length=64)
    targets: list[str] = Field(min_length=1, max_length=200)
    message: Text | None = Field(
        default=None, description="Shown instead of the generated explanation."
    )


class ExplainerIn(StrictModel):
    """A hotspot on a named part of the twin; hotspots are shown in list order."""

    id: str = Field(min_length=1, max_length=64, pattern=SLUG)
    part: str = Field(pattern=PART_NAME, description="Node name in the product's .glb")
    title: Text
    text: Text


class ProductUpsert(StrictModel):
    slug: str = Field(min_length=1, max_length=64, pattern=SLUG)
    name: Text
    description: Text
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    base_price: Price = Field(description='Decimal string, e.g. "39900.00"')
    stock: int = Field(default=0, ge=0, le=10_000_000)
    active: bool = True
    position: int = Field(default=0, ge=0, le=100_000)
    asset_sha256: str | None = Field(default=None, pattern=SHA256)
    option_groups: list[OptionGroupIn] = Field(default_factory=list, max_length=50)
    rules: list[RuleIn] = Field(default_factory=list, max_length=1000)
    explainers: list[ExplainerIn] = Field(default_factory=list, max_length=100)


class Money(BaseModel):
    amount: str = Field(description='Exact decimal amount, e.g. "41250.00"')
    currency: str


class EffectRead(BaseModel):
    kind: str
    target: str
    value: str | bool


class OptionRead(BaseModel):
    id: str
    group: str
    name: Text
    description: Text | None
    price_delta: Money
    default: bool
    effects: list[EffectRead]


class OptionGroupRead(BaseModel):
    id: str
    name: Text
    min_choices: int
    max_choices: int
    options: list[OptionRead]


class RuleRead(BaseModel):
    id: str
    kind: str
    option: str
    targets: list[str]
    message: Text | None = Field(description="The brand's own wording, if any")
    explanation: Text = Field(description="The rule in words: the brand's wording or generated")


class ExplainerRead(BaseModel):
    id: str
    order: int
    part: str
    title: Text
    text: Text


class ProductRead(BaseModel):
    id: str
    brand: str
    slug: str
    name: Text
    description: Text
    base_price: Money
    stock: int
    active: bool
    position: int
    asset_sha256: str | None
    asset_url: str | None
    option_groups: list[OptionGroupRead]
    default_option_ids: list[str]
    hidden_parts: list[str] = Field(
        description="Nodes the viewer hides when loading the twin (part_swap replacements)."
    )
    rules: list[RuleRead]
    explainers: list[ExplainerRead]
    updated_at: datetime


class QuoteRequest(StrictModel):
    option_ids: list[str] = Field(default_factory=list, max_length=200)
    locale: Locale = "en"


class Violation(BaseModel):
    rule_id: str = Field(description="The rule's id, or group:<id> for a group's choice limits")
    kind: str
    option_ids: list[str]
    message: str = Field(description="In the requested locale")
    messages: Text


class BreakdownLine(BaseModel):
    id: str
    amount: str


class Breakdown(BaseModel):
    base: str
    options: list[BreakdownLine]
    total: str
    currency: str


class QuoteRead(BaseModel):
    valid: bool
    violations: list[Violation]
    breakdown: Breakdown


class ConfigurationRead(BaseModel):
    id: str = Field(description="Short id to share: GET /api/configurations/{id}")
    brand: str
    product: str
    product_id: str
    option_ids: list[str]
    breakdown: Breakdown
    created_at: datetime


class AssetRead(BaseModel):
    sha256: str
    url: str
    byte_size: int
    label: str
    nodes: list[str]
    materials: list[str]
    created_at: datetime


class ImportRow(BaseModel):
    row: int
    slug: str | None
    action: Literal["create", "update", "unchanged", "error"]
    errors: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    dry_run: bool
    applied: bool
    rows: list[ImportRow]
