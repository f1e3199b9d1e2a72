"""What the service itself tells a customer in a conversation, in their language.

Queue places, the handoff, the rating request and its thanks reach customers in the
store, the widget, by email and on messaging apps; they are written here once per
locale (English, French, Italian), and the conversation's locale picks one. Staff read
the same lines in the transcript, with the technical reason kept in the message's data.
"""

from __future__ import annotations

from typing import Final, Literal

NoticeKey = Literal[
    "handoff",
    "queue_place",
    "advisor_joined",
    "transferred",
    "requeued",
    "handed_back",
    "csat_request",
    "csat_request_email",
    "csat_request_email_reply",
    "csat_thanks",
    "csat_given",
    "csat_given_comment",
]

LOCALES: Final = ("en", "fr", "it")

CATALOGUE: Final[dict[str, dict[NoticeKey, str]]] = {
    "en": {
        "handoff": "I am finding an advisor for you.",
        "queue_place": "You are number {position} in the queue; "
        "an advisor should be with you in about {minutes} min.",
        "advisor_joined": "{name} joined the conversation.",
        "transferred": "{name} is taking over the conversation.",
        "requeued": "Please wait: another advisor will be with you shortly.",
        "handed_back": "The assistant is back with you.",
        "csat_request": "How did we do? Rate this conversation from 1 to 5.",
        "csat_request_email": "How did we do? Choose a score from 1 (poor) to 5 (excellent):",
        "csat_request_email_reply": "Or reply to this email with a number from 1 to 5.",
        "csat_thanks": "Thank you for your rating.",
        "csat_given": "Rated {score}/5",
        "csat_given_comment": "Rated {score}/5: {comment}",
    },
    "fr": {
        "handoff": "Je vous trouve un conseiller.",
        "queue_place": "Vous êtes numéro {position} dans la file d'attente ; "
        "un conseiller devrait être avec vous dans environ {minutes} min.",
        "advisor_joined": "{name} a rejoint la conversation.",
        "transferred": "{name} prend le relais de la conversation.",
        "requeued": "Merci de patienter : un autre conseiller va vous répondre.",
        "handed_back": "L'assistant est de retour avec vous.",
        "csat_request": "Comment était notre service ? Notez cette conversation de 1 à 5.",
        "csat_request_email": "Comment était notre service ? "
        "Choisissez une note de 1 (mauvais) à 5 (excellent) :",
        "csat_request_email_reply": "Ou répondez à cet e-mail par un chiffre de 1 à 5.",
        "csat_thanks": "Merci pour votre note.",
        "csat_given": "Note donnée : {score}/5",
        "csat_given_comment": "Note donnée : {score}/5 ({comment})",
    },
    "it": {
        "handoff": "Sto cercando un consulente per te.",
        "queue_place": "Sei il numero {position} in coda; "
        "un consulente sarà da te tra circa {minutes} min.",
        "advisor_joined": "{name} si è unito alla conversazione.",
        "transferred": "{name} prende in carico la conversazione.",
        "requeued": "Attendi: un altro consulente sarà presto da te.",
        "handed_back": "L'assistente è di nuovo con te.",
        "csat_request": "Com'è andata? Valuta questa conversazione da 1 a 5.",
        "csat_request_email": "Com'è andata? Scegli un voto da 1 (scarso) a 5 (eccellente):",
        "csat_request_email_reply": "Oppure rispondi a questa email con un numero da 1 a 5.",
        "csat_thanks": "Grazie per la tua valutazione.",
        "csat_given": "Valutazione: {score}/5",
        "csat_given_comment": "Valutazione: {score}/5 ({comment})",
    },
}


def notice(key: NoticeKey, locale: str, **params: str | int) -> str:
    """The notice in the locale (English when the brand offers another one)."""
    texts = CATALOGUE.get(locale, CATALOGUE["en"])
    return texts[key].format(**params)
