"""Demo content for the service desk: the demo brand's queues and canned responses."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.demo import DEMO_SLUG
from vitrina.conversations import canned
from vitrina.conversations.schemas import CannedResponseCreate
from vitrina.routing import service
from vitrina.routing.schemas import QueueCreate

QUEUES = [
    QueueCreate(brand=DEMO_SLUG, name="general", title="General questions", sla_s=120),
    QueueCreate(brand=DEMO_SLUG, name="sales", title="Sales and test drives", sla_s=60),
    QueueCreate(brand=DEMO_SLUG, name="financing", title="Financing contracts", sla_s=180),
]

_CANNED = {
    "en": [
        (
            "greet",
            "Greeting",
            "Hello {name}, I'm here to help. I've read your conversation with our assistant.",
        ),
        (
            "testdrive",
            "Test drive",
            "I can book a test drive for you: which day and time suit you best?",
        ),
        ("bye", "Goodbye", "Thank you for visiting Aurora Motors. Have a great day!"),
    ],
    "fr": [
        (
            "greet",
            "Accueil",
            "Bonjour {name}, je suis là pour vous aider. J'ai lu votre échange avec notre assistant.",
        ),
        (
            "testdrive",
            "Essai",
            "Je peux réserver un essai pour vous : quel jour et quelle heure vous conviennent ?",
        ),
        ("bye", "Au revoir", "Merci de votre visite chez Aurora Motors. Belle journée !"),
    ],
    "it": [
        (
            "greet",
            "Saluto",
            "Buongiorno {name}, sono qui per aiutarla. Ho letto la sua conversazione con l'assistente.",
        ),
        (
            "testdrive",
            "Prova su strada",
            "Posso prenotarle una prova su strada: quale giorno e orario preferisce?",
        ),
        ("bye", "Saluti", "Grazie per la visita ad Aurora Motors. Buona giornata!"),
    ],
}


async def seed_service_desk(db: AsyncSession) -> str:
    have = {q.name for q in await service.list_queues(db, brand_slugs=[DEMO_SLUG])}
    made_queues = 0
    for queue in QUEUES:
        if queue.name not in have:
            await service.create_queue(db, data=queue)
            made_queues += 1
    items = [
        CannedResponseCreate(locale=locale, shortcut=shortcut, title=title, body=body)
        for locale, rows in _CANNED.items()
        for shortcut, title, body in rows
    ]
    made_canned = await canned.ensure_canned(db, brand_slug=DEMO_SLUG, items=items)
    return f"service desk: {made_queues} queues and {made_canned} canned responses created"
