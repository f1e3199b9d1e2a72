"""The consent purposes and the wording published for a brand until its DPO changes it."""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    ESSENTIAL = "essential"
    ANALYTICS = "analytics"
    PERSONALISATION = "personalisation"
    GAZE_DWELL = "gaze_dwell"
    MARKETING = "marketing"


OPTIONAL_PURPOSES = tuple(p for p in Purpose if p is not Purpose.ESSENTIAL)

DEFAULT_TEXTS: dict[Purpose, dict[str, dict[str, str]]] = {
    Purpose.ESSENTIAL: {
        "en": {
            "title": "Essential",
            "body": "Your session, your avatar's position and chat, so the store works. "
            "Always on; nothing is used for anything else.",
        },
        "fr": {
            "title": "Essentiel",
            "body": "Votre session, la position de votre avatar et le chat, pour que la "
            "boutique fonctionne. Toujours actif ; rien n'est utilisé à d'autres fins.",
        },
        "it": {
            "title": "Essenziale",
            "body": "La tua sessione, la posizione del tuo avatar e la chat, perché il "
            "negozio funzioni. Sempre attivo; nulla viene usato per altri scopi.",
        },
    },
    Purpose.ANALYTICS: {
        "en": {
            "title": "Store statistics",
            "body": "Which products and parts you click, counted to improve the store.",
        },
        "fr": {
            "title": "Statistiques de la boutique",
            "body": "Les produits et éléments sur lesquels vous cliquez, comptés pour "
            "améliorer la boutique.",
        },
        "it": {
            "title": "Statistiche del negozio",
            "body": "I prodotti e le parti su cui fai clic, contati per migliorare il negozio.",
        },
    },
    Purpose.PERSONALISATION: {
        "en": {
            "title": "Personal suggestions",
            "body": "Use what you looked at and clicked to suggest products for you. "
            "You can always ask why a suggestion is shown.",
        },
        "fr": {
            "title": "Suggestions personnalisées",
            "body": "Utiliser ce que vous avez regardé et cliqué pour vous suggérer des "
            "produits. Vous pouvez toujours demander pourquoi une suggestion apparaît.",
        },
        "it": {
            "title": "Suggerimenti personali",
            "body": "Usare ciò che hai guardato e cliccato per suggerirti prodotti. "
            "Puoi sempre chiedere perché vedi un suggerimento.",
        },
    },
    Purpose.GAZE_DWELL: {
        "en": {
            "title": "Gaze and dwell time",
            "body": "How long you look at each part of a product. Only per-part totals "
            "are kept, never where your eyes or head pointed.",
        },
        "fr": {
            "title": "Regard et temps d'attention",
            "body": "Le temps passé à regarder chaque partie d'un produit. Seuls les "
            "totaux par partie sont conservés, jamais la direction de votre regard.",
        },
        "it": {
            "title": "Sguardo e tempo di attenzione",
            "body": "Quanto a lungo guardi ogni parte di un prodotto. Conserviamo solo i "
            "totali per parte, mai la direzione del tuo sguardo.",
        },
    },
    Purpose.MARKETING: {
        "en": {
            "title": "News and offers",
            "body": "Hear from the brand about new products, events and offers.",
        },
        "fr": {
            "title": "Actualités et offres",
            "body": "Recevoir des nouvelles de la marque : produits, événements et offres.",
        },
        "it": {
            "title": "Novità e offerte",
            "body": "Ricevere dalla marca notizie su prodotti, eventi e offerte.",
        },
    },
}
