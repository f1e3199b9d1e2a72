"""Aurora Motors' catalog: two cars and a wallbox, with twins generated in code.

The product slugs are the ones the brand's store layout places on its stands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands import service as brands
from vitrina.catalog import service
from vitrina.catalog.demo_assets import E1, GT, car_glb, sign_glb, wallbox_glb
from vitrina.catalog.schemas import ProductUpsert
from vitrina.catalog.storage import AssetStore
from vitrina.core.config import get_settings

DEMO_BRAND = "aurora-motors"


def _t(en: str, fr: str, it: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "it": it}


def _option(
    oid: str,
    name: dict[str, str],
    price: str,
    *effects: tuple[str, str, Any],
    default: bool = False,
) -> dict[str, Any]:
    return {
        "id": oid,
        "name": name,
        "price_delta": price,
        "default": default,
        "effects": [{"kind": k, "target": t, "value": v} for k, t, v in effects],
    }


def _sport_wheels() -> list[tuple[str, str, Any]]:
    return [("part_swap", f"wheel_{w}", f"wheel_{w}_sport") for w in ("fl", "fr", "rl", "rr")]


def _paints(prefix: str) -> dict[str, Any]:
    return {
        "id": "paint",
        "name": _t("Paint", "Peinture", "Vernice"),
        "min_choices": 1,
        "max_choices": 1,
        "options": [
            _option(
                f"{prefix}-paint-white",
                _t("Pearl white", "Blanc nacré", "Bianco perla"),
                "0",
                ("material_color", "paint", "#eeeeea"),
                default=True,
            ),
            _option(
                f"{prefix}-paint-blue",
                _t("Midnight blue", "Bleu nuit", "Blu notte"),
                "900.00",
                ("material_color", "paint", "#1b2a4a"),
            ),
            _option(
                f"{prefix}-paint-red",
                _t("Aurora red", "Rouge aurore", "Rosso aurora"),
                "1200.00",
                ("material_color", "paint", "#b3121f"),
            ),
            _option(
                f"{prefix}-paint-graphite",
                _t("Graphite", "Graphite", "Grafite"),
                "900.00",
                ("material_color", "paint", "#3a3d42"),
            ),
        ],
    }


def _car_explainers() -> list[dict[str, Any]]:
    return [
        {
            "id": "charging",
            "part": "charging_port",
            "title": _t("Charging port", "Prise de recharge", "Presa di ricarica"),
            "text": _t(
                "Press the flap to open it, plug in the Type 2 or CCS connector; the light ring turns green while charging and blinks when done.",
                "Appuyez sur la trappe pour l'ouvrir, branchez le connecteur Type 2 ou CCS ; l'anneau lumineux est vert pendant la charge et clignote à la fin.",
                "Premi lo sportello per aprirlo e collega il connettore Type 2 o CCS; l'anello luminoso è verde durante la ricarica e lampeggia alla fine.",
            ),
        },
        {
            "id": "dashboard",
            "part": "dashboard",
            "title": _t("Dashboard", "Tableau de bord", "Cruscotto"),
            "text": _t(
                "The central screen shows range, charging stops and driving modes; swipe up for climate, say 'Hey Aurora' for voice control.",
                "L'écran central affiche l'autonomie, les arrêts de recharge et les modes de conduite ; balayez vers le haut pour la climatisation, dites « Hey Aurora » pour la commande vocale.",
                "Lo schermo centrale mostra autonomia, soste di ricarica e modalità di guida; scorri in alto per il clima, di' «Hey Aurora» per i comandi vocali.",
            ),
        },
        {
            "id": "seats",
            "part": "seats",
            "title": _t("Seats", "Sièges", "Sedili"),
            "text": _t(
                "Front seats adjust electrically and remember three driver profiles; the winter pack adds heating.",
                "Les sièges avant se règlent électriquement et mémorisent trois profils ; le pack hiver ajoute le chauffage.",
                "I sedili anteriori si regolano elettricamente e memorizzano tre profili; il pacchetto inverno aggiunge il riscaldamento.",
            ),
        },
        {
            "id": "wheels",
            "part": "wheel_fl",
            "title": _t("Wheels and tyres", "Roues et pneus", "Ruote e pneumatici"),
            "text": _t(
                "Tyre pressure is shown on the screen; keep 2.5 bar front and rear for the best range.",
                "La pression des pneus s'affiche à l'écran ; gardez 2,5 bars à l'avant et à l'arrière pour la meilleure autonomie.",
                "La pressione degli pneumatici è sullo schermo; mantieni 2,5 bar davanti e dietro per la migliore autonomia.",
            ),
        },
    ]


def car_product(slug: str, *, asset: str | None) -> ProductUpsert:
    gt = slug == "aurora-gt"
    p = "gt" if gt else "e1"
    wheels = {
        "id": "wheels",
        "name": _t("Wheels", "Jantes", "Cerchi"),
        "min_choices": 1,
        "max_choices": 1,
        "options": [
            _option(
                f"{p}-wheels-aero",
                _t(
                    '19" aero wheels' if gt else '17" aero wheels',
                    'Jantes aéro 19"' if gt else 'Jantes aéro 17"',
                    'Cerchi aero 19"' if gt else 'Cerchi aero 17"',
                ),
                "0",
                default=True,
            ),
            _option(
                f"{p}-wheels-sport",
                _t(
                    '21" sport wheels' if gt else '19" sport wheels',
                    'Jantes sport 21"' if gt else 'Jantes sport 19"',
                    'Cerchi sport 21"' if gt else 'Cerchi sport 19"',
                ),
                "1900.00" if gt else "1500.00",
                *_sport_wheels(),
            ),
        ],
    }
    finish = {
        "id": "rim-finish",
        "name": _t("Rim finish", "Finition des jantes", "Finitura cerchi"),
        "min_choices": 0,
        "max_choices": 1,
        "options": [
            _option(
                f"{p}-rims-black",
                _t("Gloss black rims", "Jantes noir brillant", "Cerchi nero lucido"),
                "300.00",
                ("material_color", "rim", "#111111"),
            ),
        ],
    }
    interior = {
        "id": "interior",
        "name": _t("Interior", "Intérieur", "Interni"),
        "min_choices": 1,
        "max_choices": 1,
        "options": [
            _option(
                f"{p}-interior-fabric",
                _t("Graphite fabric", "Tissu graphite", "Tessuto grafite"),
                "0",
                ("material_color", "upholstery", "#333338"),
                default=True,
            ),
            _option(
                f"{p}-interior-vegan",
                _t("Sand vegan leather", "Cuir végan sable", "Pelle vegana sabbia"),
                "1800.00",
                ("material_color", "upholstery", "#c8b591"),
            ),
            _option(
                f"{p}-interior-leather",
                _t("Cognac leather", "Cuir cognac", "Pelle cognac"),
                "2900.00",
                ("material_color", "upholstery", "#8a4b22"),
            ),
        ],
    }
    packs = [
        _option(
            f"{p}-pack-winter",
            _t(
                "Winter pack (heated seats and wheel)",
                "Pack hiver (sièges et volant chauffants)",
                "Pacchetto inverno (sedili e volante riscaldati)",
            ),
            "700.00",
        ),
        _option(
            f"{p}-pack-tech",
            _t(
                "Tech pack (head-up display, 360° cameras)",
                "Pack tech (affichage tête haute, caméras 360°)",
                "Pacchetto tech (head-up display, telecamere 360°)",
            ),
            "1900.00",
        ),
        _option(
            f"{p}-tow-hitch",
            _t("Retractable tow hitch", "Attelage escamotable", "Gancio traino retrattile"),
            "650.00",
            ("visibility", "tow_hitch", True),
        ),
    ]
    rules: list[dict[str, Any]] = [
        {
            "id": f"{p}-black-rims-sport-only",
            "kind": "only_with",
            "option": f"{p}-rims-black",
            "targets": [f"{p}-wheels-sport"],
        },
        {
            "id": f"{p}-leather-needs-winter",
            "kind": "requires",
            "option": f"{p}-interior-leather",
            "targets": [f"{p}-pack-winter"],
        },
    ]
    if gt:
        packs.append(
            _option(
                "gt-pack-performance",
                _t(
                    "Performance pack (rear spoiler, sport brakes)",
                    "Pack performance (becquet arrière, freins sport)",
                    "Pacchetto performance (spoiler posteriore, freni sportivi)",
                ),
                "3500.00",
                ("visibility", "spoiler", True),
            )
        )
        rules += [
            {
                "id": "gt-performance-needs-sport-wheels",
                "kind": "requires",
                "option": "gt-pack-performance",
                "targets": ["gt-wheels-sport"],
            },
            {
                "id": "gt-performance-no-tow-hitch",
                "kind": "excludes",
                "option": "gt-pack-performance",
                "targets": ["gt-tow-hitch"],
            },
        ]
    return ProductUpsert.model_validate(
        {
            "slug": slug,
            "name": _t("Aurora GT", "Aurora GT", "Aurora GT")
            if gt
            else _t("Aurora E1", "Aurora E1", "Aurora E1"),
            "description": _t(
                "Our grand tourer: 580 km of range, 0-100 km/h in 4.1 s, room for four and their luggage."
                if gt
                else "The compact electric for every day: 420 km of range, 20-80 % charge in 25 minutes.",
                "Notre grande routière : 580 km d'autonomie, 0 à 100 km/h en 4,1 s, quatre places et leurs bagages."
                if gt
                else "La compacte électrique du quotidien : 420 km d'autonomie, de 20 à 80 % en 25 minutes.",
                "La nostra gran turismo: 580 km di autonomia, 0-100 km/h in 4,1 s, spazio per quattro e i loro bagagli."
                if gt
                else "La compatta elettrica di tutti i giorni: 420 km di autonomia, dal 20 all'80 % in 25 minuti.",
            ),
            "currency": "EUR",
            "base_price": "56900.00" if gt else "34900.00",
            "stock": 6 if gt else 14,
            "position": 2 if gt else 1,
            "asset_sha256": asset,
            "option_groups": [
                _paints(p),
                wheels,
                finish,
                interior,
                {
                    "id": "packs",
                    "name": _t("Packs", "Packs", "Pacchetti"),
                    "min_choices": 0,
                    "max_choices": len(packs),
                    "options": packs,
                },
            ],
            "rules": rules,
            "explainers": _car_explainers(),
        }
    )


def wallbox_product(*, asset: str | None) -> ProductUpsert:
    return ProductUpsert.model_validate(
        {
            "slug": "aurora-wallbox",
            "name": _t("Aurora Wallbox", "Borne Aurora Wallbox", "Wallbox Aurora"),
            "description": _t(
                "Home charging up to 22 kW with a tethered Type 2 cable, scheduled off-peak charging from the app.",
                "La recharge à domicile jusqu'à 22 kW avec câble Type 2 attaché, recharge programmée en heures creuses depuis l'application.",
                "Ricarica domestica fino a 22 kW con cavo Type 2 integrato, ricarica programmata nelle ore di basso costo dall'app.",
            ),
            "currency": "EUR",
            "base_price": "899.00",
            "stock": 40,
            "position": 3,
            "asset_sha256": asset,
            "option_groups": [
                {
                    "id": "power",
                    "name": _t("Power", "Puissance", "Potenza"),
                    "min_choices": 1,
                    "max_choices": 1,
                    "options": [
                        _option(
                            "wb-power-7",
                            _t("7.4 kW single-phase", "7,4 kW monophasé", "7,4 kW monofase"),
                            "0",
                            default=True,
                        ),
                        _option(
                            "wb-power-11",
                            _t("11 kW three-phase", "11 kW triphasé", "11 kW trifase"),
                            "150.00",
                        ),
                        _option(
                            "wb-power-22",
                            _t("22 kW three-phase", "22 kW triphasé", "22 kW trifase"),
                            "390.00",
                        ),
                    ],
                },
                {
                    "id": "cable",
                    "name": _t("Cable", "Câble", "Cavo"),
                    "min_choices": 1,
                    "max_choices": 1,
                    "options": [
                        _option(
                            "wb-cable-5",
                            _t("5 m cable", "Câble de 5 m", "Cavo da 5 m"),
                            "0",
                            default=True,
                        ),
                        _option(
                            "wb-cable-7",
                            _t("7.5 m cable", "Câble de 7,5 m", "Cavo da 7,5 m"),
                            "80.00",
                            ("part_swap", "cable", "cable_long"),
                        ),
                    ],
                },
                {
                    "id": "colour",
                    "name": _t("Colour", "Couleur", "Colore"),
                    "min_choices": 1,
                    "max_choices": 1,
                    "options": [
                        _option(
                            "wb-white",
                            _t("Arctic white", "Blanc arctique", "Bianco artico"),
                            "0",
                            ("material_color", "housing", "#f2f2f2"),
                            default=True,
                        ),
                        _option(
                            "wb-graphite",
                            _t("Graphite", "Graphite", "Grafite"),
                            "49.00",
                            ("material_color", "housing", "#2f3136"),
                        ),
                    ],
                },
                {
                    "id": "service",
                    "name": _t("Installation", "Installation", "Installazione"),
                    "min_choices": 0,
                    "max_choices": 1,
                    "options": [
                        _option(
                            "wb-install",
                            _t(
                                "Installation by a certified electrician",
                                "Pose par un électricien certifié",
                                "Installazione da parte di un elettricista certificato",
                            ),
                            "690.00",
                        ),
                    ],
                },
            ],
            "rules": [
                {
                    "id": "wb-22kw-needs-install",
                    "kind": "requires",
                    "option": "wb-power-22",
                    "targets": ["wb-install"],
                    "message": _t(
                        "22 kW needs a three-phase line checked by our electrician: add the installation.",
                        "Le 22 kW demande une ligne triphasée vérifiée par notre électricien : ajoutez la pose.",
                        "I 22 kW richiedono una linea trifase verificata dal nostro elettricista: aggiungi l'installazione.",
                    ),
                },
            ],
            "explainers": [
                {
                    "id": "status",
                    "part": "status_light",
                    "title": _t("Status light", "Voyant d'état", "Spia di stato"),
                    "text": _t(
                        "Green: ready. Blue: charging. Blinking blue: waiting for the off-peak schedule. Red: call us, the charger stopped for safety.",
                        "Vert : prête. Bleu : en charge. Bleu clignotant : attente des heures creuses. Rouge : appelez-nous, la borne s'est arrêtée par sécurité.",
                        "Verde: pronta. Blu: in carica. Blu lampeggiante: in attesa della fascia a basso costo. Rosso: chiamaci, la wallbox si è fermata per sicurezza.",
                    ),
                },
                {
                    "id": "display",
                    "part": "display",
                    "title": _t("Display", "Écran", "Display"),
                    "text": _t(
                        "Shows power, energy delivered and the next scheduled session.",
                        "Affiche la puissance, l'énergie délivrée et la prochaine session programmée.",
                        "Mostra potenza, energia erogata e la prossima sessione programmata.",
                    ),
                },
                {
                    "id": "connector",
                    "part": "connector",
                    "title": _t("Connector", "Connecteur", "Connettore"),
                    "text": _t(
                        "Type 2 connector: push until it clicks; it unlocks when you unlock the car.",
                        "Connecteur Type 2 : poussez jusqu'au clic ; il se déverrouille avec la voiture.",
                        "Connettore Type 2: spingi fino al clic; si sblocca quando sblocchi l'auto.",
                    ),
                },
            ],
        }
    )


async def seed_catalog(db: AsyncSession, *, store: AssetStore | None = None) -> str:
    """Stores the demo twins and brings the demo products to their reference content."""
    store = store or service.asset_store(get_settings().data_dir)
    brand = await brands.get_by_slug(db, slug=DEMO_BRAND)
    if brand is None:
        return "catalog skipped: the demo brand does not exist yet"
    limit = 64 * 1024 * 1024
    e1 = await service.store_asset(
        db, store=store, data=car_glb(E1), max_bytes=limit, brand=brand, label="Aurora E1"
    )
    gt = await service.store_asset(
        db, store=store, data=car_glb(GT), max_bytes=limit, brand=brand, label="Aurora GT"
    )
    wallbox = await service.store_asset(
        db, store=store, data=wallbox_glb(), max_bytes=limit, brand=brand, label="Aurora Wallbox"
    )
    await service.store_asset(
        db, store=store, data=sign_glb(), max_bytes=limit, brand=brand, label="Showroom sign"
    )
    changed = 0
    for data in (
        car_product("aurora-e1", asset=e1.sha256),
        car_product("aurora-gt", asset=gt.sha256),
        wallbox_product(asset=wallbox.sha256),
    ):
        current = await service.get_product(db, brand=brand, slug=data.slug)
        if current is None or service.differs(current, data):
            await service.upsert(db, brand=brand, data=data)
            changed += 1
    return f"catalog: 3 demo products ({changed} written), 4 twins stored"
