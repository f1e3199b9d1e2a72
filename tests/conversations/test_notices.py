"""Every service notice a customer can read exists in English, French and Italian."""

from __future__ import annotations

import re
import typing

import pytest

from vitrina.conversations.notices import CATALOGUE, LOCALES, NoticeKey, notice

KEYS = typing.get_args(NoticeKey)


def _fields(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_notice_is_written_in_every_language(locale: str) -> None:
    assert set(CATALOGUE[locale]) == set(KEYS)
    for key in KEYS:
        text = CATALOGUE[locale][key]
        assert text.strip(), (locale, key)
        assert _fields(text) == _fields(CATALOGUE["en"][key]), (locale, key)
        if locale != "en":
            assert text != CATALOGUE["en"][key], f"{key} is not translated into {locale}"


def test_a_customer_reads_their_own_language_and_english_elsewhere() -> None:
    assert notice("queue_place", "it", position=2, minutes=3).startswith("Sei il numero 2 in coda")
    assert notice("handed_back", "de") == CATALOGUE["en"]["handed_back"]
