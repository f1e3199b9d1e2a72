"""Words that decide a turn before the model does: asking for a person, ending a flow.

Both are matched on accent-folded text (`slots.fold`).
"""

from __future__ import annotations

import re

# Naming a person. "Conseiller" is also the verb "to advise" ("me conseiller un hôtel"),
# so only the noun after an article or a possessive counts; "my advisor at the bank" is
# someone else's advisor.
_PERSON = re.compile(
    r"\b(human|a person|real person|someone real|(?<!my )(?:advisor|adviser)|agent|operator|"
    r"salesperson|humain|une personne|(?:un|une|le|la|au|a|à|votre|des|du) conseill(?:er|ere)s?|"
    r"vendeur|umano|una persona|consulente|operatore|venditore)\b"
)
# Asking for one: a verb of talking, wanting or being put through. "Is an advisor with
# me during the drive?" names a person without asking for one.
_ASKING = re.compile(
    r"\b(talk|speak|chat|connect|transfer|put\s+me|get\s+me|give\s+me|want|wanna|need|"
    r"like|rather|prefer|call|contact|reach|please|pls|plz|"
    r"parler|discuter|passe[rz]?|passez-moi|veux|voudrais|besoin|prefere|appeler|"
    r"contacter|joindre|mettre\s+en\s+relation|svp|stp|"
    r"parlare|passami|passarmi|passatemi|voglio|vorrei|bisogno|preferisco|chiamare|"
    r"contattare|mettermi\s+in\s+contatto|per\s+favore|perfavore)\b"
)
# Up to this many words, naming a person is asking for one ("agent", "un conseiller ?").
_SHORT = 3
_ENDING = re.compile(
    r"^(cancel|stop|never ?mind|forget it|annule[rz]?|laisse tomber|oublie[zr]?|annulla|"
    r"lascia perdere|basta)\b"
)


def asks_for_person(folded: str) -> bool:
    if not _PERSON.search(folded):
        return False
    return len(folded.split()) <= _SHORT or bool(_ASKING.search(folded))


def ends_flow(folded: str) -> bool:
    return bool(_ENDING.search(folded))
