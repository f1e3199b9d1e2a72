"""What a customer says they do not want, taken out before the message is classified.

"I don't want to book, I want to cancel" holds the words of both intents, and a model of
word and sentence features weighs them together. Customers put what they reject in a
clause of its own ("don't want to book", "je ne veux pas décaler", "non voglio
spostarlo"), so the clause from a rejecting cue up to the next clause boundary is
dropped and the rest is classified; when nothing of substance is left ("I can't come"),
the whole message is classified as it was written.
"""

from __future__ import annotations

import re

from vitrina.core.text import fold

# Cues of rejecting an action, on accent-folded text. "can't come" is not one: it is
# how customers ask to move an appointment.
# "No longer need the test drive" is not one either: it is how they cancel one.
_CUE = re.compile(
    r"\b(?:(?:i\s+)?(?:do\s+not|don'?t|didn'?t)\s+(?:want|wanna|wish)(?:\s+to)?"
    r"|not\s+looking\s+to"
    r"|(?:je\s+)?(?:ne\s+)?(?:veux|voudrais|souhaite)\s+pas|j'?veux\s+pas|pas\s+envie\s+de"
    r"|non\s+(?:voglio|vorrei)"
    r")\b"
)
# Where the rejected clause ends: punctuation, or the start of what they do want.
_BOUNDARY = re.compile(
    r"[,;.!?]|\b(?:but|rather|instead|i\s+want|i\s+need|just|only|mais|plutot|je\s+veux|"
    r"juste|seulement|ma|piuttosto|voglio|solo|soltanto)\b"
)
_MIN_WORDS = 2


def without_rejected(text: str) -> str | None:
    """`text` without its rejected clauses, or None when it rejects nothing (or when
    too little would be left to classify)."""
    folded = fold(text)
    kept: list[str] = []
    position = 0
    found = False
    for cue in _CUE.finditer(folded):
        if cue.start() < position:
            continue
        found = True
        kept.append(folded[position : cue.start()])
        end = _BOUNDARY.search(folded, cue.end())
        position = end.start() if end else len(folded)
    if not found:
        return None
    kept.append(folded[position:])
    rest = " ".join(" ".join(kept).split())
    words = re.findall(r"\w+", rest)
    return rest if len(words) >= _MIN_WORDS else None
