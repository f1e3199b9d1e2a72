"""Dates and instants a request may carry: between the years 1900 and 2200.

Arithmetic near the limits of Python's calendar (years 1 and 9999) overflows, and no
booking, timeline entry or agenda lies that far away; such a value is refused like any
other invalid field instead of failing deep in a computation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def _day_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"give a date between {EARLIEST} and {LATEST}")
    return value


def _instant_in_range(value: datetime) -> datetime:
    _day_in_range(value.date())
    return value


Day = Annotated[date, AfterValidator(_day_in_range)]
Instant = Annotated[datetime, AfterValidator(_instant_in_range)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(_instant_in_range)]
