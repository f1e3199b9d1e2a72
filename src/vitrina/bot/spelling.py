"""Typing slips put right before a message is classified, from the brand's own words.

Customers type fast: "anulle mon rdv", "whats the garantee", "quante rate mi manacno".
The sentence encoder reads a misspelt word as another word (or as pieces of one), and
the character n-grams only partly make up for it, so a slip in the one word that
carries the request ("anulle", "garantee") moved the greeter to the wrong intent or to
a question. A word the brand's content never uses is replaced by the content's word that
is one edit away (two for long words), starting with the same letter: a letter left
out, added, changed or two letters swapped. Words the content knows are never changed,
nor are short words, numbers, or words with no such neighbour (names of other
companies, products the brand does not sell), so a message only ever gets closer to
the brand's own wording of what the customer typed.

A word is a slip only if neither the brand's content nor the general word lists of
English, French and Italian know it (pyspellchecker's frequency lists, shipped inside
its package: nothing is downloaded), so "calciatore" or "motorbikes" stay as they are.
Without those lists one message in six of the case files had a correct word "corrected"
("my wife" to "my wifi"). Contractions typed without their apostrophe ("thats",
"didnt", "doesn't" cut at its apostrophe) and Italian verbs with their pronouns attached ("annullatela", "spostarlo")
count as known when what is left is a known word.

The vocabulary is every word of the brand's examples, responses and articles in every
language; a correction keeps the accents of the content's most frequent spelling.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

from vitrina.core.text import fold

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Shorter words are left alone: at three letters nearly every slip is another word.
MIN_LENGTH = 4
# From this length a word may be two edits from the content's word.
TWO_EDITS_FROM = 8


# Endings of English contractions typed without the apostrophe ("thats", "didnt").
CONTRACTIONS = ("nt", "n", "s", "re", "ll", "ve", "d", "m")
# Italian pronouns attached to a verb ("annullatela", "spostarlo", "guidarne").
CLITICS: tuple[str, ...] = ("glielo", "gliela", "glieli", "gliene", "melo", "mela", "telo")
CLITICS += ("tela", "cene", "lo", "la", "li", "le", "ne", "mi", "ti", "ci", "vi", "si", "gli")
LANGUAGES = ("en", "fr", "it")


@cache
def dictionary() -> frozenset[str]:
    """Every word of the English, French and Italian frequency lists, without accents."""
    words: set[str] = set()
    package = resources.files("spellchecker") / "resources"
    for lang in LANGUAGES:
        with gzip.open(str(package / f"{lang}.json.gz"), "rt", encoding="utf-8") as fh:
            words.update(fold(w) for w in json.load(fh))
    return frozenset(words)


def _known_form(word: str, known: frozenset[str] | dict[str, int]) -> bool:
    if word in known:
        return True
    for end in CONTRACTIONS:
        if word.endswith(end) and word[: -len(end)] in known and len(word) - len(end) >= 2:
            return True
    for end in CLITICS:
        stem = word[: -len(end)]
        if word.endswith(end) and len(stem) >= 4 and (stem in known or stem + "e" in known):
            return True
    return False


def squeezed(word: str) -> str:
    """`word` with each run of one letter written once: "anulle" and "annule" alike."""
    return re.sub(r"(.)\1+", r"\1", word)


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def distance(a: str, b: str) -> int:
    """Edits from `a` to `b`: letters inserted, deleted, replaced, or two neighbours
    swapped (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


class Speller:
    def __init__(self, texts: Iterable[str], *, words: frozenset[str] | None = None) -> None:
        self.words = dictionary() if words is None else words
        spellings: dict[str, Counter[str]] = {}
        for text in texts:
            for word in WORD.findall(text.lower()):
                spellings.setdefault(fold(word), Counter())[word] += 1
        self.frequency = {w: sum(c.values()) for w, c in spellings.items()}
        self.surface = {w: c.most_common(1)[0][0] for w, c in spellings.items()}
        # A letter doubled or not ("apuntamento", "machina", "anulle") is the commonest
        # slip in French and Italian, and counts as no edit at all.
        self._runs: dict[str, list[str]] = {}
        for word in self.frequency:
            self._runs.setdefault(squeezed(word), []).append(word)
        self._index: dict[str, list[str]] = {}
        for word in self.frequency:
            if len(word) >= MIN_LENGTH - 1:
                for key in _deletes(word, 2 if len(word) >= TWO_EDITS_FROM - 1 else 1):
                    self._index.setdefault(key, []).append(word)

    def suggest(self, word: str) -> str | None:
        """The content's spelling of `word` if it is a slip of one, else None."""
        folded = fold(word)
        if len(folded) < MIN_LENGTH or folded in self.frequency:
            return None
        if _known_form(folded, self.words) or _known_form(folded, self.frequency):
            return None
        doubled = [c for c in self._runs.get(squeezed(folded), ()) if c[0] == folded[0]]
        if doubled:
            return self.surface[max(doubled, key=lambda c: self.frequency[c])]
        allowed = 2 if len(folded) >= TWO_EDITS_FROM else 1
        candidates = {
            c
            for key in _deletes(folded, allowed)
            for c in self._index.get(key, ())
            if c[0] == folded[0]
        }
        scored = [(distance(folded, c), -self.frequency[c], c) for c in candidates]
        scored = [s for s in scored if s[0] <= allowed]
        if not scored:
            return None
        best = min(scored)
        return self.surface[best[2]]

    def correct(self, text: str) -> str:
        """`text` with each slip replaced by the content's word; the rest as typed."""

        def replace(match: re.Match[str]) -> str:
            return self.suggest(match.group(0)) or match.group(0)

        return WORD.sub(replace, text)
