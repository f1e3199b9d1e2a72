"""Which of a brand's products a customer's message names.

Customers name a product the way they would in a shop: its full name ("Aurora E1"), or the
word that tells it apart from the others ("the E1", "la GT", "une wallbox"). A word of a
product's name counts on its own only when no other product of the brand has it (the
brand's own word, "Aurora", names none of them). Matching ignores case and accents and
respects word boundaries, so "GT" is not found in "gtx" and "E1" not in "e10".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vitrina.core.text import fold

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True, slots=True)
class ProductNames:
    """Word sequences that name each product of one brand."""

    phrases: Mapping[str, frozenset[tuple[str, ...]]]

    @classmethod
    def of(cls, products: Iterable[tuple[str, Mapping[str, str]]]) -> ProductNames:
        """From (slug, {locale: name}) pairs."""
        full: dict[str, set[tuple[str, ...]]] = {}
        for slug, names in products:
            found = full.setdefault(slug, {_words(slug.replace("-", " "))})
            found.update(w for w in (_words(n) for n in names.values()) if w)
        # How many products use each single word of a name: a word of one product only
        # names it on its own. Digits-only words ("2024") name a year more often than a car.
        users = Counter(
            word for phrases in full.values() for word in {w for p in phrases for w in p}
        )
        phrases: dict[str, frozenset[tuple[str, ...]]] = {}
        for slug, found in full.items():
            own = {
                (word,)
                for phrase in found
                for word in phrase
                if users[word] == 1 and len(word) >= 2 and not word.isdigit()
            }
            phrases[slug] = frozenset(found | own)
        return cls(phrases=phrases)

    def named_in(self, text: str) -> list[str]:
        """The products the text names, in the brand's order."""
        words = _words(text)
        if not words:
            return []
        found: list[str] = []
        for slug, phrases in self.phrases.items():
            if any(_contains(words, phrase) for phrase in phrases):
                found.append(slug)
        return found


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    if n == 0 or n > len(words):
        return False
    first = phrase[0]
    return any(words[i] == first and words[i : i + n] == phrase for i in range(len(words) - n + 1))
