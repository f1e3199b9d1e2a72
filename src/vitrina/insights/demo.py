"""The demo brand's personas: three kinds of visitor, each with its route through the
showroom, the greeter's line and the products it leans to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.insights import personas
from vitrina.insights.schemas import PersonaIn

DEMO_BRAND = "aurora-motors"

DEMO_PERSONAS = [
    PersonaIn(
        key="first-electric",
        name={
            "en": "My first electric car",
            "fr": "Ma première voiture électrique",
            "it": "La mia prima auto elettrica",
        },
        greeting={
            "en": "New to electric? Start with the E1, then see how charging at home works.",
            "fr": "Nouveau dans l'électrique ? Commencez par l'E1, puis voyez comment "
            "recharger chez vous.",
            "it": "Nuovo all'elettrico? Inizia dalla E1, poi scopri come ricaricare a casa.",
        },
        route=["stand-aurora-e1", "stand-wallbox"],
        weights={"aurora-e1": 0.8, "aurora-wallbox": 0.6},
    ),
    PersonaIn(
        key="family",
        name={
            "en": "A car for the family",
            "fr": "Une voiture familiale",
            "it": "Un'auto per la famiglia",
        },
        greeting={
            "en": "Five seats in the E1 for every day, and the GT for four with all their luggage.",
            "fr": "Cinq places dans l'E1 au quotidien, et la GT pour quatre avec tous leurs "
            "bagages.",
            "it": "Cinque posti nella E1 per tutti i giorni, e la GT per quattro con tutti i "
            "loro bagagli.",
        },
        route=["stand-aurora-e1", "stand-aurora-gt"],
        weights={"aurora-e1": 0.7, "aurora-gt": 0.6},
    ),
    PersonaIn(
        key="performance",
        name={"en": "Performance", "fr": "Performance", "it": "Prestazioni"},
        greeting={
            "en": "The GT: 0-100 km/h in 4.1 s and 580 km of range. Come and configure yours.",
            "fr": "La GT : de 0 à 100 km/h en 4,1 s et 580 km d'autonomie. Venez configurer "
            "la vôtre.",
            "it": "La GT: da 0 a 100 km/h in 4,1 s e 580 km di autonomia. Vieni a configurare "
            "la tua.",
        },
        route=["stand-aurora-gt"],
        weights={"aurora-gt": 1.0},
    ),
]


async def seed_personas(db: AsyncSession) -> str:
    """Sets the demo personas unless the brand already has its own."""
    brand = await brands.get_by_slug(db, slug=DEMO_BRAND)
    if brand is None:
        return "no demo brand: personas skipped"
    if await personas.list_personas(db, brand_id=brand.id):
        return "personas up to date"
    made = await personas.replace_personas(db, brand=brand, personas=DEMO_PERSONAS)
    return f"{len(made)} personas created"
