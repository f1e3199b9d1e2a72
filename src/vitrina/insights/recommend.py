"""Recommendations for one visitor: the brand's model, their consented profile, their persona.

The brand's model (catalog texts, everyone's consented signals) is built on first use and
kept for `MODEL_TTL`; the visitor's profile is read at every call, so consent changes
count at once. Only the brand's own active products with stock are ever recommended.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from threadpoolctl import ThreadpoolController

from vitrina.brands.models import Brand
from vitrina.catalog import service as catalog
from vitrina.catalog.models import Product
from vitrina.commerce import stock
from vitrina.core.db import utcnow
from vitrina.insights import personas, profiles
from vitrina.insights import service as signals
from vitrina.insights.models import DwellAggregate, InteractionEvent
from vitrina.insights.recommender import Item, Model, Pick
from vitrina.insights.schemas import Reason, RecommendationRead, RecommendationsRead

log = structlog.get_logger(__name__)

MODEL_TTL = 300.0
MAX_RERANKS = 3
# Everyone's signals of this window train the collaborative part.
TRAINING_WINDOW = timedelta(days=90)

SURPRISE_LABEL = {
    "en": "Something different",
    "fr": "Quelque chose de différent",
    "it": "Qualcosa di diverso",
}

# French and Italian cannot end a relative clause on a preposition ("que vous avez
# cliqué sur"), and their participles agree with a car's gender: the sentence names the
# product again as "ce produit" / "questo prodotto" instead.
_SIGNAL_WORDS: dict[str, dict[str, str]] = {
    "dwell": {"en": "looked at", "fr": "regardé", "it": "guardato"},
    "view": {"en": "viewed", "fr": "consulté", "it": "visto"},
    "click": {"en": "clicked on", "fr": "cliqué sur", "it": "cliccato su"},
    "configure": {"en": "configured", "fr": "configuré", "it": "configurato"},
    "ask": {"en": "asked about", "fr": "posé une question sur", "it": "chiesto informazioni su"},
    "book": {"en": "booked", "fr": "pris rendez-vous pour", "it": "preso appuntamento per"},
    "buy": {"en": "bought", "fr": "acheté", "it": "acquistato"},
}
_TEMPLATES: dict[str, dict[str, str]] = {
    "similar": {
        "en": "Similar to {product}, which you {signal}.",
        "fr": "Proche de {product} : vous avez {signal} ce produit.",
        "it": "Simile a {product}: hai {signal} questo prodotto.",
    },
    "others": {
        "en": "Visitors interested in {product} also liked this.",
        "fr": "Les visiteurs intéressés par {product} ont aussi aimé ceci.",
        "it": "Chi si è interessato a {product} ha apprezzato anche questo.",
    },
    "persona": {
        "en": "Fits your choice: {persona}.",
        "fr": "Correspond à votre choix : {persona}.",
        "it": "Adatto alla tua scelta: {persona}.",
    },
    "popular": {
        "en": "Popular with visitors of this store.",
        "fr": "Apprécié des visiteurs de cette boutique.",
        "it": "Apprezzato dai visitatori di questo negozio.",
    },
    "surprise": {
        "en": "Something different: unlike what you looked at, yet close to your interests.",
        "fr": "Quelque chose de différent : autre chose que ce que vous avez vu, mais proche "
        "de vos intérêts.",
        "it": "Qualcosa di diverso: diverso da ciò che hai guardato, ma vicino ai tuoi interessi.",
    },
    "not_personal": {
        "en": "Not based on your activity: you have not allowed personal suggestions.",
        "fr": "Pas fondé sur votre activité : vous n'avez pas autorisé les suggestions "
        "personnalisées.",
        "it": "Non basato sulla tua attività: non hai consentito i suggerimenti personali.",
    },
}
LOCALES = ("en", "fr", "it")


@dataclass(slots=True)
class BrandModel:
    model: Model
    names: dict[str, dict[str, str]]
    built_at: float


_models: dict[str, BrandModel] = {}
_blas: ThreadpoolController | None = None


def one_blas_thread() -> Any:
    """Linear algebra on one thread for the ranking: its products are small, and on a
    busy two-core server BLAS threads spinning against each other made a call several
    times slower (measured in bench/insights.py)."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


_locks: dict[str, asyncio.Lock] = {}


def forget(brand_id: str | None = None) -> None:
    """Drop cached models (all, or one brand's): the next call rebuilds."""
    if brand_id is None:
        _models.clear()
    else:
        _models.pop(brand_id, None)


def product_text(product: Product) -> str:
    """Names, descriptions and option labels in every language, for content similarity."""
    words: list[str] = [product.slug.replace("-", " ")]
    words.extend((product.name or {}).values())
    words.extend((product.description or {}).values())
    for group in product.option_groups or []:
        words.extend((group.get("name") or {}).values())
        for option in group.get("options") or []:
            words.extend((option.get("name") or {}).values())
            words.extend((option.get("description") or {}).values())
    return " ".join(w for w in words if isinstance(w, str))


async def _interactions(
    db: AsyncSession, *, brand_id: str, now: datetime
) -> list[tuple[str, str, float]]:
    since = now - TRAINING_WINDOW
    out: list[tuple[str, str, float]] = []
    events = await db.execute(
        select(
            InteractionEvent.subject,
            InteractionEvent.product,
            InteractionEvent.kind,
            func.count(),
        )
        .where(InteractionEvent.brand_id == brand_id, InteractionEvent.occurred_at >= since)
        .group_by(InteractionEvent.subject, InteractionEvent.product, InteractionEvent.kind)
    )
    out.extend((s, p, profiles.signal_weight(k, float(n))) for s, p, k, n in events)
    dwell = await db.execute(
        select(DwellAggregate.subject, DwellAggregate.product, func.sum(DwellAggregate.total_ms))
        .where(DwellAggregate.brand_id == brand_id, DwellAggregate.bucket_start >= since)
        .group_by(DwellAggregate.subject, DwellAggregate.product)
    )
    out.extend((s, p, profiles.signal_weight("dwell", ms / 1000.0)) for s, p, ms in dwell)
    return out


def _build(items: list[Item], interactions: list[tuple[str, str, float]]) -> Model:
    with one_blas_thread():
        return Model.build(items, interactions)


async def build_model(db: AsyncSession, *, brand: Brand, now: datetime | None = None) -> BrandModel:
    products = await catalog.list_products(db, brand=brand)
    buyable = await stock.on_sale(db, brand_id=brand.id)
    items = [Item(p.slug, product_text(p), available=p.slug in buyable) for p in products]
    interactions = await _interactions(db, brand_id=brand.id, now=now or utcnow())
    model = await asyncio.to_thread(_build, items, interactions)
    names = {p.slug: dict(p.name) for p in products}
    return BrandModel(model=model, names=names, built_at=time.monotonic())


async def model_for(
    db: AsyncSession,
    *,
    brand: Brand,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> BrandModel:
    """The brand's model. Past `MODEL_TTL`, with `sessions` to read from, the model in
    hand keeps answering while one rebuild runs in the background: on a large brand a
    build takes tens of seconds (41 s with 10 million events, bench/insights.py), which
    every request arriving meanwhile would otherwise wait for."""
    cached = _models.get(brand.id)
    if cached is not None:
        if time.monotonic() - cached.built_at < MODEL_TTL:
            return cached
        if sessions is not None:
            _refresh_soon(sessions, brand.id)
            return cached
    lock = _locks.setdefault(brand.id, asyncio.Lock())
    async with lock:
        cached = _models.get(brand.id)
        if cached is not None and time.monotonic() - cached.built_at < MODEL_TTL:
            return cached
        made = _models[brand.id] = await build_model(db, brand=brand)
        return made


_refreshing: dict[str, asyncio.Task[None]] = {}


def _refresh_soon(sessions: async_sessionmaker[AsyncSession], brand_id: str) -> None:
    if brand_id in _refreshing:
        return

    async def rebuild() -> None:
        try:
            async with _locks.setdefault(brand_id, asyncio.Lock()), sessions() as db:
                brand = await db.get(Brand, brand_id)
                if brand is None:
                    _models.pop(brand_id, None)
                    return
                _models[brand_id] = await build_model(db, brand=brand)
        except Exception:  # the stale model keeps answering; the next request tries again
            log.exception("recommendation_model_rebuild_failed", brand_id=brand_id)
        finally:
            _refreshing.pop(brand_id, None)

    _refreshing[brand_id] = asyncio.create_task(rebuild(), name=f"model-{brand_id}")


async def stop_refreshes() -> None:
    """Cancel the background rebuilds (at shutdown, before the database goes)."""
    tasks = list(_refreshing.values())
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _rank(
    model: Model, profile: dict[str, float], *, limit: int, persona: Mapping[str, float] | None
) -> list[Pick]:
    # What the visitor already engaged with comes only after everything new.
    with one_blas_thread():
        picks = model.recommend(profile, k=limit, persona=persona, exclude=sorted(profile))
        if len(picks) < limit and profile:
            have = {p.key for p in picks}
            more = model.recommend(profile, k=limit, persona=persona, surprise=False)
            picks.extend(p for p in more if p.key not in have and p.key in profile)
    return picks[:limit]


def _explain(
    pick: Pick,
    *,
    names: Mapping[str, Mapping[str, str]],
    strongest: Mapping[str, str],
    persona_name: Mapping[str, str] | None,
    personalised: bool,
) -> tuple[dict[str, str], list[Reason]]:
    reasons: list[Reason] = []
    if pick.surprise:
        reasons.append(Reason(code="surprise"))
    if pick.content_because is not None and pick.content > 0.05:
        reasons.append(
            Reason(
                code="similar",
                product=pick.content_because,
                signal=strongest.get(pick.content_because, "view"),
            )
        )
    if pick.collaborative_because is not None and pick.collaborative > 0.05:
        reasons.append(Reason(code="others", product=pick.collaborative_because))
    if persona_name is not None and pick.persona > 0:
        reasons.append(Reason(code="persona"))
    if not reasons or (not personalised and persona_name is None):
        reasons.append(Reason(code="popular"))
    why: dict[str, str] = {}
    for locale in LOCALES:
        lines = []
        if not personalised:
            lines.append(_TEMPLATES["not_personal"][locale])
        for r in reasons:
            product = names.get(r.product or "", {}).get(locale, r.product or "")
            lines.append(
                _TEMPLATES[r.code][locale].format(
                    product=product,
                    signal=_SIGNAL_WORDS.get(r.signal or "view", _SIGNAL_WORDS["view"])[locale],
                    persona=(persona_name or {}).get(locale, ""),
                )
            )
        why[locale] = " ".join(lines)
    return why, reasons


async def recommend(
    db: AsyncSession,
    *,
    brand: Brand,
    subject: str,
    limit: int = 10,
    persona: str | None = None,
    now: datetime | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> RecommendationsRead:
    """`persona` overrides the stored choice for this call (a guest without consent may
    still say who they are for this visit)."""
    now = now or utcnow()
    built = await model_for(db, brand=brand, sessions=sessions)
    personalised, found = await signals.consented_signals(
        db, brand_id=brand.id, subject=subject, now=now
    )
    profile = profiles.decayed(found, now=now)
    # The strongest kind of signal per product, for the wording of "because you ...".
    strongest: dict[str, str] = {}
    best: dict[str, float] = {}
    for product, kind, _, amount in found:
        w = profiles.signal_weight(kind, amount)
        if w > best.get(product, 0.0):
            best[product], strongest[product] = w, kind
    key = persona
    if key is None and personalised:
        key = await personas.stored(db, brand_id=brand.id, subject=subject)
    chosen = await personas.get_persona(db, brand_id=brand.id, key=key) if key else None
    weights = chosen.weights if chosen is not None else None
    # The model knows the stock of when it was built: the picks are checked against what
    # can be bought now (commerce's stock, less checkout holds), and a product sold out
    # since is withdrawn from the model and the list ranked again (rarely more than
    # once: the model remembers what it was told).
    for _ in range(MAX_RERANKS):
        picks = _rank(built.model, profile, limit=limit, persona=weights)
        sold_out = {p.key for p in picks} - await stock.on_sale(
            db, brand_id=brand.id, slugs=[p.key for p in picks]
        )
        if not sold_out:
            break
        for key in sold_out:
            built.model.available[built.model.index[key]] = False
    picks = [p for p in picks if p.key not in sold_out]
    items = []
    for pick in picks:
        why, reasons = _explain(
            pick,
            names=built.names,
            strongest=strongest,
            persona_name=chosen.name if chosen is not None else None,
            personalised=personalised,
        )
        items.append(
            RecommendationRead(
                product=pick.key,
                name=built.names.get(pick.key, {}),
                score=round(pick.score, 4),
                surprise=pick.surprise,
                label=dict(SURPRISE_LABEL) if pick.surprise else {},
                why=why,
                reasons=reasons,
            )
        )
    return RecommendationsRead(
        personalised=personalised,
        persona=chosen.key if chosen is not None else None,
        items=items,
    )
