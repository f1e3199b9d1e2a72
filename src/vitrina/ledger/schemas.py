from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from vitrina.core.schemas import RequestModel

Locale = Literal["en", "fr", "it"]


class PledgeTexts(RequestModel):
    en: str = Field(min_length=1, max_length=200)
    fr: str = Field(min_length=1, max_length=200)
    it: str = Field(min_length=1, max_length=200)


class PledgeCreate(RequestModel):
    action: Literal["booking.created"]
    texts: PledgeTexts


class PledgeUpdate(RequestModel):
    active: bool


class PledgeRead(BaseModel):
    id: str
    action: str
    active: bool
    locale: str
    text: str
    texts: dict[str, str]
    count: int


class MyPledgeRead(PledgeRead):
    mine: int


class TreeHeadRead(BaseModel):
    v: int
    brand: str
    slug: str
    size: int
    root: str
    at: str
    key: str
    sig: str


class KeyRead(BaseModel):
    key: str
    public_key: str
    algorithm: str
    from_seq: int


class ProofRead(BaseModel):
    format: str
    brand: dict[str, str]
    seq: int
    entry: str
    tree_size: int
    path: list[str]
    tree_head: TreeHeadRead
    keys: list[KeyRead]

    model_config = {"extra": "forbid"}

    def as_json(self) -> dict[str, Any]:
        return self.model_dump()
