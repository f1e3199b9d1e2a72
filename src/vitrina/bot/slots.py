"""Entities in what customers write: dates and times (relative ones included) in English,
French and Italian, products, numbers, email addresses, yes and no.

Dates are read by rules rather than a general date parser: the phrases customers use to
book ("Friday afternoon", "vendredi après-midi", "venerdì pomeriggio", "tomorrow at 3pm",
"demain à 15h") are a small closed set, and rules resolve them in the customer's time zone
to a window that the scheduling search can use directly (docs/bot.md has the comparison).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vitrina.bot.content import Product, Slot
from vitrina.core.text import fold

WEEKDAYS = {
    **dict.fromkeys(("monday", "lundi", "lunedi"), 0),
    **dict.fromkeys(("tuesday", "mardi", "martedi"), 1),
    **dict.fromkeys(("wednesday", "mercredi", "mercoledi"), 2),
    **dict.fromkeys(("thursday", "jeudi", "giovedi"), 3),
    **dict.fromkeys(("friday", "vendredi", "venerdi"), 4),
    **dict.fromkeys(("saturday", "samedi", "sabato"), 5),
    **dict.fromkeys(("sunday", "dimanche", "domenica"), 6),
}
RELATIVE_DAYS = {
    **dict.fromkeys(("today", "aujourd'hui", "aujourdhui", "oggi"), 0),
    **dict.fromkeys(("tomorrow", "demain", "domani"), 1),
    **dict.fromkeys(("day after tomorrow", "apres-demain", "apres demain", "dopodomani"), 2),
}
MONTHS = {
    **dict.fromkeys(("january", "janvier", "gennaio", "jan"), 1),
    **dict.fromkeys(("february", "fevrier", "febbraio", "feb"), 2),
    **dict.fromkeys(("march", "mars", "marzo", "mar"), 3),
    **dict.fromkeys(("april", "avril", "aprile", "apr"), 4),
    **dict.fromkeys(("may", "mai", "maggio"), 5),
    **dict.fromkeys(("june", "juin", "giugno", "jun"), 6),
    **dict.fromkeys(("july", "juillet", "luglio", "jul"), 7),
    **dict.fromkeys(("august", "aout", "agosto", "aug"), 8),
    **dict.fromkeys(("september", "septembre", "settembre", "sep", "sept"), 9),
    **dict.fromkeys(("october", "octobre", "ottobre", "oct"), 10),
    **dict.fromkeys(("november", "novembre", "nov"), 11),
    **dict.fromkeys(("december", "decembre", "dicembre", "dec"), 12),
}
# Parts of the day as opening-hours-friendly windows (start hour, end hour).
PARTS = {
    **dict.fromkeys(("morning", "matin", "matinee", "mattina", "mattinata"), (9, 12)),
    **dict.fromkeys(("noon", "midday", "midi", "mezzogiorno"), (12, 14)),
    # The afternoon starts after lunch: "Friday afternoon" is not booked at noon.
    **dict.fromkeys(("afternoon", "apres-midi", "apres midi", "aprem", "pomeriggio"), (14, 18)),
    **dict.fromkeys(("evening", "soir", "soiree", "sera", "serata"), (17, 21)),
}
NUMBER_WORDS = {
    **dict.fromkeys(("one", "un", "une", "uno", "una"), 1),
    **dict.fromkeys(("two", "deux", "due"), 2),
    **dict.fromkeys(("three", "trois", "tre"), 3),
    **dict.fromkeys(("four", "quatre", "quattro"), 4),
    **dict.fromkeys(("five", "cinq", "cinque"), 5),
    **dict.fromkeys(("six", "sei"), 6),
    **dict.fromkeys(("seven", "sept", "sette"), 7),
    **dict.fromkeys(("eight", "huit", "otto"), 8),
    **dict.fromkeys(("nine", "neuf", "nove"), 9),
    **dict.fromkeys(("ten", "dix", "dieci"), 10),
}
YES = {"yes", "yeah", "yep", "sure", "ok", "okay", "confirm", "correct", "right", "oui",
       "ouais", "d'accord", "daccord", "confirme", "exact", "si", "certo", "conferma",
       "va bene", "perfetto", "parfait", "absolutely", "of course", "bien sur"}  # fmt: skip
NO = {"no", "nope", "non", "not", "pas", "nah", "annulla", "wrong", "incorrect"}

_TIME = re.compile(
    r"(?:\b(?:at|a|alle|ore|vers|verso|around|for)\s+)?\b(?P<h>[01]?\d|2[0-3])"
    r"(?:(?::|h|\.)(?P<m>[0-5]\d)|(?P<hmark>h)(?![a-z]))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
)
_DMY = re.compile(r"\b(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)(?:[/.](?P<y>\d{2,4}))?\b")
_DAY_MONTH = re.compile(r"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th|er)?\s+(?P<mon>[a-z]+)\b")
_MONTH_DAY = re.compile(r"\b(?P<mon>[a-z]+)\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"(?<![\w:/.])\d+(?:[.,]\d+)?(?![\w:/])")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A moment or a span the customer named, as aware datetimes in their time zone."""

    start: datetime
    end: datetime
    exact: bool

    def label(self) -> str:
        if self.exact:
            return self.start.strftime("%Y-%m-%d %H:%M")
        return f"{self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M}"


def _has(words: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", words) is not None


def _day(text: str, today: date) -> tuple[date | None, bool]:
    """The day `text` names, and whether it named it by its weekday."""
    for phrase, offset in sorted(RELATIVE_DAYS.items(), key=lambda kv: -len(kv[0])):
        if _has(text, phrase):
            return today + timedelta(days=offset), False
    for word, weekday in WEEKDAYS.items():
        if _has(text, word):
            ahead = (weekday - today.weekday()) % 7
            nextish = any(_has(text, w) for w in ("next", "prochain", "prossimo"))
            return today + timedelta(days=ahead or (7 if nextish else 0)), True
    if m := _DMY.search(text):
        return _safe_date(today, int(m["d"]), int(m["m"]), m["y"]), False
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in pattern.finditer(text):
            if (month := MONTHS.get(m["mon"])) is not None:
                return _safe_date(today, int(m["d"]), month, None), False
    return None, False


def _safe_date(today: date, day: int, month: int, year: str | None) -> date | None:
    y = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
    try:
        found = date(y, month, day)
    except ValueError:
        return None
    if year is None and found < today:
        found = found.replace(year=found.year + 1)
    return found


def _clock(text: str) -> time | None:
    for m in _TIME.finditer(text):
        hour, minute = int(m["h"]), int(m["m"] or 0)
        marked = m["ampm"] or m["hmark"] or m["m"]
        introduced = m.group(0).split()[0] in ("at", "a", "alle", "ore", "vers", "verso", "around")
        if not (marked or introduced):
            continue
        if m["ampm"] and m["ampm"].startswith("p") and hour < 12:
            hour += 12
        if m["ampm"] and m["ampm"].startswith("a") and hour == 12:
            hour = 0
        # "at 3" in the afternoon of a shop means 15:00, not 03:00.
        if not m["ampm"] and 1 <= hour <= 7:
            hour += 12
        return time(hour, minute)
    return None


def extract_when(text: str, *, now: datetime, tz: str) -> TimeWindow | None:
    """The date/time window in `text`, resolved relative to `now` in time zone `tz`."""
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    folded = fold(text)
    day, by_weekday = _day(folded, local_now.date())
    clock = _clock(folded)
    part = next(
        (hours for word, hours in sorted(PARTS.items(), key=lambda kv: -len(kv[0]))
         if _has(folded, word)),
        None,
    )  # fmt: skip
    if day is None and clock is None and part is None:
        return None
    if day is None:
        day = local_now.date()
        if clock is not None and datetime.combine(day, clock, zone) <= local_now:
            day += timedelta(days=1)
    window = _window(day, clock, part, zone, local_now)
    passed = window is None or (window.exact and window.start <= local_now)
    if by_weekday and day == local_now.date() and passed:
        # "Friday afternoon" said on Friday evening means the coming Friday.
        window = _window(day + timedelta(days=7), clock, part, zone, local_now)
    return window


def _window(
    day: date, clock: time | None, part: tuple[int, int] | None, zone: ZoneInfo, now: datetime
) -> TimeWindow | None:
    if clock is not None:
        if part is not None and clock.hour < part[0] and clock.hour + 12 < 24:
            clock = time(clock.hour + 12, clock.minute)
        start = datetime.combine(day, clock, zone)
        return TimeWindow(start=start, end=start + timedelta(hours=1), exact=True)
    first, last = part or (0, 24)
    start = datetime.combine(day, time(first), zone)
    end = (
        datetime.combine(day, time(23, 59), zone)
        if last == 24
        else datetime.combine(day, time(last), zone)
    )
    if day == now.date() and start < now:
        start = now.replace(second=0, microsecond=0)
    if end <= start:
        return None
    return TimeWindow(start=start, end=end, exact=False)


def extract_products(text: str, products: list[Product]) -> list[str]:
    folded = fold(text)
    found = []
    for product in products:
        names = [product.name, product.id, *product.aliases]
        if any(_has(folded, fold(n)) for n in names):
            found.append(product.id)
    return found


def extract_persona(text: str, choices: dict[str, list[str]]) -> str | None:
    """The persona the text names: by its key, one of its names, or a word of its names
    that no other persona's names have ("family", "famille", "performance"). None when it
    names none, or more than one."""
    folded = fold(text)
    words = {
        k: {w for n in names for w in re.findall(r"\w+", fold(n))} for k, names in choices.items()
    }
    found = set()
    for key, names in choices.items():
        own = {w for w in words[key] if len(w) >= 4}
        for other, theirs in words.items():
            if other != key:
                own -= theirs
        phrases = [key.replace("-", " "), *(fold(n) for n in names), *own]
        if any(_has(folded, p) for p in phrases if p):
            found.add(key)
    return found.pop() if len(found) == 1 else None


def extract_number(text: str) -> float | None:
    if m := _NUMBER.search(text):
        return float(m.group(0).replace(",", "."))
    for word in fold(text).split():
        if word in NUMBER_WORDS:
            return float(NUMBER_WORDS[word])
    return None


def extract_email(text: str) -> str | None:
    m = _EMAIL.search(text)
    return m.group(0).lower() if m else None


def yes_no(text: str) -> bool | None:
    folded = fold(text).strip(" .!?")
    words = set(re.findall(r"[\w']+", folded))
    if any(_has(folded, phrase) for phrase in YES if " " in phrase) or words & YES:
        return not (words & NO)
    if words & NO:
        return False
    return None


def extract_slot(slot: Slot, text: str, *, products: list[Product], now: datetime, tz: str) -> Any:
    """The value `text` gives for `slot` (JSON-ready, as stored in the state), or None."""
    if slot.kind == "product":
        allowed = [p for p in products if not slot.values or p.id in slot.values]
        found = extract_products(text, allowed)
        return found[0] if found else None
    if slot.kind == "datetime":
        window = extract_when(text, now=now, tz=tz)
        if window is None:
            return None
        return {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "exact": window.exact,
        }
    if slot.kind == "number":
        return extract_number(text)
    if slot.kind == "email":
        return extract_email(text)
    if slot.kind == "yes_no":
        return yes_no(text)
    folded = fold(text)
    return next((v for v in slot.values if fold(v) in folded), None)
