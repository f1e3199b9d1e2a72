from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vitrina.bot.content import BrandContent
from vitrina.bot.slots import (
    WEEKDAYS,
    extract_number,
    extract_products,
    extract_when,
    yes_no,
)

PARIS = "Europe/Paris"
# Wednesday 2 December 2026, 10:00 in Paris.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo(PARIS))


@pytest.mark.parametrize(
    "text", ["Friday afternoon", "vendredi après-midi", "venerdì pomeriggio", "venerdi pomeriggio"]
)
def test_friday_afternoon_in_three_languages(text: str) -> None:
    window = extract_when(f"book a test drive {text}", now=NOW, tz=PARIS)
    assert window is not None
    assert (window.start, window.end, window.exact) == (_paris(4, 14), _paris(4, 18), False)


@pytest.mark.parametrize(
    "text",
    ["tomorrow at 3pm", "tomorrow at 15:00", "demain à 15h", "demain à 15h00", "domani alle 15"],
)
def test_tomorrow_at_three(text: str) -> None:
    window = extract_when(text, now=NOW, tz=PARIS)
    assert window is not None and window.exact
    assert window.start == _paris(3, 15)


def test_relative_days_follow_the_customers_time_zone() -> None:
    late_evening_utc = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # already 3 December in Paris
    window = extract_when("tomorrow morning", now=late_evening_utc, tz=PARIS)
    assert window is not None and window.start == _paris(4, 9)
    window = extract_when("tomorrow morning", now=late_evening_utc, tz="America/New_York")
    assert window is not None and window.start.date().day == 3


def test_explicit_dates_and_next_weekday() -> None:
    assert extract_when("le 12 décembre à 10h", now=NOW, tz=PARIS).start == _paris(12, 10)  # type: ignore[union-attr]
    assert extract_when("il 12/12 alle 10", now=NOW, tz=PARIS).start == _paris(12, 10)  # type: ignore[union-attr]
    nxt = extract_when("next wednesday at 11am", now=NOW, tz=PARIS)
    assert nxt is not None and nxt.start == _paris(9, 11)


@pytest.mark.parametrize(
    ("text", "paris_hour", "expected"),
    [
        # Friday 4 December, after the afternoon: the coming Friday.
        ("vendredi après-midi", 19, (_paris(11, 14), _paris(11, 18), False)),
        ("Friday at 10am", 15, (_paris(11, 10), _paris(11, 11), True)),
        ("venerdì alle 10", 15, (_paris(11, 10), _paris(11, 11), True)),
        # While some of it is still ahead, the day itself, from now on.
        ("Friday afternoon", 15, (_paris(4, 15), _paris(4, 18), False)),
        ("vendredi à 17h", 15, (_paris(4, 17), _paris(4, 18), True)),
    ],
)
def test_todays_weekday_once_it_has_passed_means_next_week(
    text: str, paris_hour: int, expected: tuple[datetime, datetime, bool]
) -> None:
    now = _paris(4, paris_hour).astimezone(UTC)
    window = extract_when(f"a test drive {text}", now=now, tz=PARIS)
    assert window is not None
    assert (window.start, window.end, window.exact) == expected


def test_no_date_means_none() -> None:
    assert extract_when("what is the warranty on the battery?", now=NOW, tz=PARIS) is None


@given(
    offset_h=st.integers(min_value=0, max_value=24 * 400),
    word=st.sampled_from(sorted(WEEKDAYS)),
)
def test_a_weekday_resolves_to_that_day_within_a_week(offset_h: int, word: str) -> None:
    now = NOW + timedelta(hours=offset_h)
    window = extract_when(word, now=now, tz=PARIS)
    assert window is not None
    local_today = now.astimezone(ZoneInfo(PARIS)).date()
    assert window.start.weekday() == WEEKDAYS[word]
    assert 0 <= (window.start.date() - local_today).days <= 6


def test_products_numbers_and_yes_no(aurora: BrandContent) -> None:
    products = aurora.settings.products
    assert extract_products("je voudrais essayer la GT", products) == ["aurora-gt"]
    assert extract_products("the Aurora E1 please", products) == ["aurora-e1"]
    assert extract_products("a bicycle", products) == []
    assert extract_number("about 3,5 tonnes") == 3.5
    assert extract_number("deux personnes") == 2.0
    assert [yes_no(t) for t in ("oui", "sì, va bene", "yes please", "no", "non merci", "hmm")] == [
        True,
        True,
        True,
        False,
        False,
        None,
    ]
