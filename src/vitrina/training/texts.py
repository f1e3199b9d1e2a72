"""What the training domain tells trainees and supervisors, in English, French and Italian."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "greeting_ok": {
        "en": "Greeted the customer (reply {n}).",
        "fr": "A salué le client (réponse {n}).",
        "it": "Ha salutato il cliente (risposta {n}).",
    },
    "greeting_missing": {
        "en": "No greeting in the first {n} replies.",
        "fr": "Aucune salutation dans les {n} premières réponses.",
        "it": "Nessun saluto nelle prime {n} risposte.",
    },
    "empathy_ok": {
        "en": "Acknowledged the customer's feelings (reply {n}).",
        "fr": "A reconnu le ressenti du client (réponse {n}).",
        "it": "Ha riconosciuto lo stato d'animo del cliente (risposta {n}).",
    },
    "empathy_missing": {
        "en": "No empathy phrase in the first {n} replies.",
        "fr": "Aucune formule d'empathie dans les {n} premières réponses.",
        "it": "Nessuna frase di empatia nelle prime {n} risposte.",
    },
    "identity_ok": {
        "en": "Checked the customer's identity before any account data.",
        "fr": "A vérifié l'identité du client avant toute donnée de compte.",
        "it": "Ha verificato l'identità del cliente prima di qualsiasi dato del conto.",
    },
    "identity_broken": {
        "en": "Gave account data before checking the customer's identity.",
        "fr": "A donné des données de compte avant de vérifier l'identité du client.",
        "it": "Ha dato dati del conto prima di verificare l'identità del cliente.",
    },
    "identity_missing": {
        "en": "Never checked the customer's identity.",
        "fr": "N'a jamais vérifié l'identité du client.",
        "it": "Non ha mai verificato l'identità del cliente.",
    },
    "answer_ok": {
        "en": "Gave the answer of the knowledge-base article '{article}'.",
        "fr": "A donné la réponse de l'article '{article}' de la base de connaissances.",
        "it": "Ha dato la risposta dell'articolo '{article}' della base di conoscenza.",
    },
    "answer_missing": {
        "en": "Did not give the answer of the knowledge-base article '{article}'.",
        "fr": "N'a pas donné la réponse de l'article '{article}' de la base de connaissances.",
        "it": "Non ha dato la risposta dell'articolo '{article}' della base di conoscenza.",
    },
    "action_ok": {
        "en": "The conversation ended as it should: {outcome}.",
        "fr": "La conversation s'est terminée comme il fallait : {outcome}.",
        "it": "La conversazione si è conclusa come doveva: {outcome}.",
    },
    "action_wrong": {
        "en": "Expected: {expected}; the conversation ended: {got}.",
        "fr": "Attendu : {expected} ; la conversation s'est terminée : {got}.",
        "it": "Atteso: {expected}; la conversazione si è conclusa: {got}.",
    },
    "time_ok": {
        "en": "Finished in {s} s (limit {limit} s).",
        "fr": "Terminé en {s} s (limite {limit} s).",
        "it": "Concluso in {s} s (limite {limit} s).",
    },
    "time_over": {
        "en": "Took {s} s (limit {limit} s).",
        "fr": "A pris {s} s (limite {limit} s).",
        "it": "Ha richiesto {s} s (limite {limit} s).",
    },
    "time_unfinished": {
        "en": "The customer's request was not brought to an end.",
        "fr": "La demande du client n'a pas abouti.",
        "it": "La richiesta del cliente non è stata portata a termine.",
    },
    "outcome_resolved": {"en": "resolved", "fr": "résolue", "it": "risolta"},
    "outcome_booked": {
        "en": "an appointment booked",
        "fr": "un rendez-vous réservé",
        "it": "un appuntamento prenotato",
    },
    "outcome_handed_off": {
        "en": "handed off to a colleague",
        "fr": "transférée à un collègue",
        "it": "passata a un collega",
    },
    "outcome_abandoned": {
        "en": "the customer walked away",
        "fr": "le client est parti",
        "it": "il cliente se n'è andato",
    },
    "outcome_unresolved": {"en": "unresolved", "fr": "non résolue", "it": "non risolta"},
    "outcome_none": {"en": "not finished", "fr": "pas terminée", "it": "non conclusa"},
    "stopped": {
        "en": "The session was stopped.",
        "fr": "La séance a été arrêtée.",
        "it": "La sessione è stata interrotta.",
    },
}


def say(key: str, lang: str, **values: object) -> str:
    texts = TEXTS[key]
    return texts.get(lang, texts["en"]).format(**values)
