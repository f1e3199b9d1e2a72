"""Reply labels: what an advisor's reply does, beyond the customer intent the bot's NLU
reads in it (a greeting, an apology, an identity check, an offer to book...).

The bot's model was trained on what customers say; these phrase lists, in English,
French and Italian, recognise what advisors say. Matching ignores case and accents and
works on whole words. A scenario may add labels of its own (`labels:`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from vitrina.core.text import fold

BUILT_IN_LABELS: dict[str, dict[str, list[str]]] = {
    "greeting": {
        "en": ["hello", "hi", "good morning", "good afternoon", "good evening", "welcome"],
        "fr": ["bonjour", "bonsoir", "salut", "bienvenue"],
        "it": ["buongiorno", "buonasera", "ciao", "salve", "benvenuto", "benvenuta"],
    },
    "empathy": {
        "en": [
            "sorry",
            "apologise",
            "apologize",
            "apologies",
            "i understand",
            "understand your frustration",
            "i can imagine",
            "that must be",
            "i hear you",
            "frustrating",
        ],
        "fr": [
            "desole",
            "desolee",
            "excuse",
            "excuses",
            "je comprends",
            "comprends votre",
            "j'imagine",
            "navre",
            "navree",
            "frustrant",
        ],
        "it": [
            "mi dispiace",
            "scusi",
            "scuse",
            "capisco",
            "comprendo",
            "immagino",
            "frustrante",
            "mi scuso",
        ],
    },
    "identity_check": {
        "en": [
            "verify your identity",
            "confirm your identity",
            "prove your identity",
            "verify who you are",
            "confirm your email",
            "one-time code",
            "one time code",
            "sign in",
            "verification code",
            "date of birth",
        ],
        "fr": [
            "verifier votre identite",
            "confirmer votre identite",
            "confirmer votre e-mail",
            "confirmer votre email",
            "code a usage unique",
            "code de verification",
            "vous connecter",
            "date de naissance",
        ],
        "it": [
            "verificare la sua identita",
            "verificare la tua identita",
            "confermare la sua identita",
            "confermare la sua email",
            "codice monouso",
            "codice di verifica",
            "accedere",
            "data di nascita",
        ],
    },
    "booking": {
        "en": ["book", "appointment", "schedule", "slot", "test drive"],
        "fr": ["reserver", "rendez-vous", "creneau", "essai"],
        "it": ["prenotare", "prenoto", "appuntamento", "fissare", "test drive"],
    },
    "handoff": {
        "en": ["transfer you", "put you through", "colleague", "specialist", "hand you over"],
        "fr": ["vous transferer", "collegue", "specialiste", "vous passer"],
        "it": ["trasferire", "collega", "specialista", "passare a"],
    },
    "closing": {
        "en": ["anything else", "have a nice day", "goodbye", "thank you for your patience"],
        "fr": ["autre chose", "bonne journee", "au revoir", "merci de votre patience"],
        "it": ["altro", "buona giornata", "arrivederci", "grazie per la pazienza"],
    },
}


def _pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({fold(p).strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def matches_phrases(text: str, phrases: Iterable[str]) -> bool:
    pattern = _pattern(phrases)
    return pattern is not None and pattern.search(fold(text)) is not None


def labels_of(
    text: str,
    lang: str,
    extra: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> list[str]:
    """The labels a reply carries; a label's phrases in every language count, the
    reply's own language first (a French reply may say "OK, sorry")."""
    found = []
    tables = {**BUILT_IN_LABELS, **(extra or {})}
    folded = fold(text)
    for name, by_lang in tables.items():
        phrases = [p for lang_phrases in by_lang.values() for p in lang_phrases]
        pattern = _pattern(phrases)
        if pattern is not None and pattern.search(folded):
            found.append(name)
    return found
