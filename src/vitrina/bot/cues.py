"""Words that decide a turn before the model does: asking for a person, ending a flow.

Both are matched on accent-folded text (`core.text.fold`).
"""

from __future__ import annotations

import re

# Naming a person. "Conseiller" is also the verb "to advise" ("me conseiller un hôtel"),
# so only the noun after an article or a possessive counts; "my advisor at the bank" is
# someone else's advisor.
_PERSON = re.compile(
    r"\b(human|a person|real person|someone real|(?<!my )(?:advisor|adviser)|agent|operator|"
    r"salesperson|humain|une personne|(?:un|une|le|la|au|a|à|votre|des|du) conseill(?:er|ere)s?|"
    r"vendeur|(?:un|le|au|votre|du)\s+commercial|umano|una persona|consulente|operatore|"
    r"venditore|(?:un|il|al|col|con\s+il|vostro)\s+commerciale)\b"
)
# Asking for one: a verb of talking, wanting or being put through. "Is an advisor with
# me during the drive?" names a person without asking for one.
_ASKING = re.compile(
    r"\b(talk|speak|chat|connect|transfer|put\s+me|get\s+me|give\s+me|want|wanna|need|"
    r"like|rather|prefer|call|contact|reach|please|pls|plz|"
    r"parler|discuter|passe[rz]?|passez-moi|veux|voudrais|besoin|prefere|appeler|"
    r"contacter|joindre|mettre\s+en\s+relation|svp|stp|"
    r"parlare|passami|passarmi|passatemi|mi\s+pass\w+|voglio|vorrei|bisogno|preferisco|chiamare|"
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


# What moving or cancelling acts on, or the act itself: an appointment the customer
# already has ("my test drive", "mon rdv", "la mia prova"), a verb of changing or
# cancelling, or "instead". "A test drive of the GT on Monday at 10, possible?" has none
# of them: it asks for a new booking, however close its words are to moving one.
_EXISTING = re.compile(
    r"\b(?:"
    r"(?:my|our|the)\s+(?:\w+\s+)?(?:test\s*drive|drive|booking|appointment|appt|reservation|"
    r"slot|visit|rdv)|booked|reserved|scheduled|"
    r"move|moving|change|changing|reschedul\w*|resched|postpone|push|shift|bring\s+\w+\s+forward|"
    r"rearrange|another\s+(?:day|date|time|slot)|different\s+(?:day|date|time|slot)|"
    r"instead|cancel\w*|call\s+(?:it\s+)?off|drop|scrap|remove|delete|"
    r"(?:won'?t|wont|can'?t|cant|cannot)\s+(?:make|come|be)|no\s+longer|anymore|any\s+more|"
    r"(?:mon|ma|notre)\s+(?:\w+\s+)?(?:essai|rdv|rendez[- ]vous|creneau|reservation|resa)|"
    r"reserve|decal\w*|deplac\w*|chang\w*|modifi\w*|report\w*|repouss\w*|avanc\w*|"
    r"reprogramm\w*|autre\s+(?:jour|date|heure|creneau|horaire|moment)|plutot|au\s+lieu|"
    r"annul\w*|supprim\w*|retir\w*|empechement|imprevu|pourrai\s+pas|peux\s+plus|"
    r"(?:la\s+)?(?:mia|mio)\s+(?:\w+\s+)?(?:prova|appuntamento|prenotazione|test\s*drive)|"
    r"prenotat[oa]|spost\w*|cambi\w*|modific\w*|rimand\w*|posticip\w*|anticip\w*|"
    r"riprogramm\w*|slitt\w*|altr[oa]\s+(?:giorno|orario|data|ora|momento)|invece|"
    r"disd\w*|cancell\w*|elimin\w*|togli\w*|imprevisto|impegno|non\s+posso\s+piu|"
    r"non\s+riesco|plus\s+besoin|enlev\w*|new\s+(?:date|time|slot)|nouve(?:lle|au)\s+(?:date|creneau|"
    r"horaire)|nuov[oa]\s+(?:data|orario|ora)|the\s+appointment|l'appuntamento|"
    r"(?:le|mon)\s+rendez[- ]vous|le\s+rdv|non\s+mi\s+serve\s+piu|peux\s+pas\s+venir|"
    r"(?:viendrai|vais)\s+pas|laisse[zr]?\s+tomber|sert\s+plus|veux\s+plus|j'ai\s+pris|"
    r"lasciate?\s+(?:perdere|stare)|serve\s+piu|non\s+verro|non\s+vengo|"
    r"non\s+ho\s+piu\s+bisogno"
    r")\b"
)


def refers_to_booking(folded: str) -> bool:
    """Whether the message speaks of an appointment already made, or of changing one."""
    return bool(_EXISTING.search(folded))


# What a new booking speaks of: driving or trying a car, a test drive, an appointment or
# a booking, or a day or time. "Descrivimi la E1" ("describe the E1 to me") reads
# close to "prenotami la E1" for the model, and names none of them: it is a question
# about the car, not a request for a drive.
_DRIVING = re.compile(
    r"\b(?:"
    r"test\s*-?\s*drives?|drives?|driving|drove|try|trying|trial|spin|go\s+in|wheel|"
    r"book\w*|reserv\w*|appointment|appt|slot|schedul\w*|visit|come\s+(?:in|by|over)|"
    r"essai\w*|essay\w*|conduir\w*|conduis\w*|conduise|volant|tour|test\w*|rdv|"
    r"rendez[- ]vous|creneau\w*|inscri\w*|passer|venir|"
    r"prov\w*|guid\w*|volante|giro|prenot\w*|appuntamento|fiss\w*|segna\w*|venire|passare|"
    r"today|tomorrow|tonight|morning|afternoon|evening|week\w*|"
    r"aujourd'hui|demain|matin|apres-?midi|aprem|soir|semaine|"
    r"oggi|domani|mattin\w*|pomeriggio|sera|settimana|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|"
    r"\d{1,2}\s*(?:h|am|pm|:\d\d)|at\s+\d{1,2}|a\s+\d{1,2}|alle\s+\d{1,2}"
    r")\b"
)


def speaks_of_a_drive(folded: str) -> bool:
    """Whether the message could ask for a new test drive (`_DRIVING`)."""
    return bool(_DRIVING.search(folded))
