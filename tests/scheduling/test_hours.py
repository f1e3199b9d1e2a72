"""Opening hours become the right UTC instants, across DST changes and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from vitrina.core.errors import AppError
from vitrina.scheduling.hours import (
    normalise_weekly_hours,
    open_intervals,
    resolve_local,
    wall_clock_to_utc,
)

PARIS = ZoneInfo("Europe/Paris")
WEEK = normalise_weekly_hours(
    {d: [["09:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_shop_hours_follow_the_clock_change() -> None:
    # Summer time starts in Paris on Sunday 28 March 2027.
    intervals = open_intervals(
        weekly=WEEK,
        exceptions=[],
        tz=PARIS,
        start=utc(2027, 3, 26),
        end=utc(2027, 3, 30),
    )
    assert intervals == [
        (utc(2027, 3, 26, 8), utc(2027, 3, 26, 18)),  # Friday, CET (+01:00)
        (utc(2027, 3, 27, 8), utc(2027, 3, 27, 18)),  # Saturday, CET
        (utc(2027, 3, 29, 7), utc(2027, 3, 29, 17)),  # Monday, CEST (+02:00)
    ]


def test_a_night_span_over_the_gap_lasts_the_real_time() -> None:
    weekly = normalise_weekly_hours({"sun": [["01:00", "04:00"]]})
    [(start, end)] = open_intervals(
        weekly=weekly, exceptions=[], tz=PARIS, start=utc(2027, 3, 27), end=utc(2027, 3, 29)
    )
    assert end - start == (utc(2027, 3, 28, 2) - utc(2027, 3, 28, 0))  # 2 hours, not 3


def test_exceptions_close_days_or_change_their_hours() -> None:
    exceptions = [
        {"start": "2027-03-26", "end": "2027-03-26", "hours": [], "reason": "Inventory"},
        {"start": "2027-03-27", "end": "2027-03-27", "hours": [["10:00", "12:00"]], "reason": ""},
    ]
    intervals = open_intervals(
        weekly=WEEK, exceptions=exceptions, tz=PARIS, start=utc(2027, 3, 26), end=utc(2027, 3, 28)
    )
    assert intervals == [(utc(2027, 3, 27, 9), utc(2027, 3, 27, 11))]


def test_midnight_end_is_the_next_day() -> None:
    assert wall_clock_to_utc(date(2027, 1, 4), None, PARIS) == utc(2027, 1, 4, 23)
    assert wall_clock_to_utc(date(2027, 1, 4), time(9), PARIS) == utc(2027, 1, 4, 8)


def test_local_times_in_a_dst_gap_or_overlap_are_refused() -> None:
    with pytest.raises(AppError) as gap:
        resolve_local(datetime(2027, 3, 28, 2, 30), PARIS)
    assert gap.value.code == "nonexistent_local_time"
    with pytest.raises(AppError) as twice:
        resolve_local(datetime(2027, 10, 31, 2, 30), PARIS)
    assert twice.value.code == "ambiguous_local_time"
    assert resolve_local(datetime(2027, 3, 28, 3, 30), PARIS) == utc(2027, 3, 28, 1, 30)
    aware = datetime(2027, 10, 31, 2, 30, tzinfo=UTC)
    assert resolve_local(aware, PARIS) == aware


@pytest.mark.parametrize(
    "hours",
    [
        {"mon": [["19:00", "09:00"]]},
        {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]},
        {"funday": [["09:00", "12:00"]]},
        {"mon": [["9h", "12:00"]]},
        {"mon": [["24:00", "24:00"]]},
    ],
)
def test_malformed_hours_are_refused(hours: dict[str, list[list[str]]]) -> None:
    with pytest.raises(AppError) as exc:
        normalise_weekly_hours(hours)
    assert exc.value.code == "invalid_opening_hours"
