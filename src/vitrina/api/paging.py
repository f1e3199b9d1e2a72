"""Query parameters of paged lists, one definition so that every list pages alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Far beyond any list we hold, and within the 64-bit integers databases accept: a larger
# offset is a 422, not a driver overflow.
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=200, description="Items to return, at most 200.")]
