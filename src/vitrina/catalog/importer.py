"""Bulk import of products from JSON or CSV, all or nothing, with a dry run.

JSON: a list of products (the admin PUT body) or {"products": [...]}.
CSV: one product per row with the columns slug, name_en, name_fr, name_it,
description_en, description_fr, description_it, currency, base_price, stock, active,
position, asset_sha256 and configurator (a JSON object with option_groups, rules and
explainers). An empty cell keeps the stored value of an existing product, so a CSV of
slug, base_price and stock is enough to update prices and stock.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.catalog import money, service
from vitrina.catalog.errors import CatalogErrorCode
from vitrina.catalog.models import Product
from vitrina.catalog.schemas import LOCALES, ImportReport, ImportRow, ProductUpsert
from vitrina.core.errors import AppError, ErrorCode
from vitrina.core.events import EventBus

MAX_ROWS = 1000
_TEXT_FIELDS = ("name", "description")
_PLAIN_FIELDS = ("currency", "base_price", "stock", "active", "position", "asset_sha256")


def _stored(product: Product) -> dict[str, Any]:
    return {
        "slug": product.slug,
        "name": dict(product.name),
        "description": dict(product.description),
        "currency": product.currency,
        "base_price": str(money.from_minor(product.base_price_minor, currency=product.currency)),
        "stock": product.stock,
        "active": product.active,
        "position": product.position,
        "asset_sha256": product.asset_sha256,
        "option_groups": product.option_groups,
        "rules": product.rules,
        "explainers": product.explainers,
    }


def _parse_json(body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AppError(
            f"The body is not valid JSON: {exc}.", code=CatalogErrorCode.IMPORT_INVALID, status=422
        ) from None
    except RecursionError:
        raise AppError(
            "The body is nested too deeply to be a product list.",
            code=CatalogErrorCode.IMPORT_INVALID,
            status=422,
        ) from None
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        data = data["products"]
    if not isinstance(data, list):
        raise AppError(
            'Send a list of products or {"products": [...]}.',
            code=CatalogErrorCode.IMPORT_INVALID,
            status=422,
        )
    return data


def _csv_row(row: dict[str, str], existing: dict[str, Any] | None) -> dict[str, Any]:
    """A CSV row as a product document, filling empty cells from the stored product."""
    item: dict[str, Any] = dict(existing or {})
    item["slug"] = (row.get("slug") or "").strip()
    for field in _TEXT_FIELDS:
        texts = dict(item.get(field) or {})
        for locale in LOCALES:
            cell = (row.get(f"{field}_{locale}") or "").strip()
            if cell:
                texts[locale] = cell
        if texts:
            item[field] = texts
    for field in _PLAIN_FIELDS:
        cell = (row.get(field) or "").strip()
        if not cell:
            continue
        if field in ("stock", "position"):
            item[field] = int(cell) if cell.isdigit() else cell
        elif field == "active":
            item[field] = cell.lower() in ("1", "true", "yes")
        else:
            item[field] = cell
    cell = (row.get("configurator") or "").strip()
    if cell:
        configurator = json.loads(cell)
        if not isinstance(configurator, dict):
            raise ValueError("configurator must be a JSON object")
        for key in ("option_groups", "rules", "explainers"):
            if key in configurator:
                item[key] = configurator[key]
    return item


def _errors_of(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]


async def run_import(
    db: AsyncSession,
    *,
    brand: Brand,
    body: bytes,
    content_type: str,
    dry_run: bool,
    bus: EventBus | None = None,
) -> ImportReport:
    existing = {
        p.slug: p for p in await service.list_products(db, brand=brand, include_inactive=True)
    }
    if content_type == "application/json":
        raw_rows: list[Any] = _parse_json(body)
        csv_rows: list[dict[str, str]] | None = None
    elif content_type == "text/csv":
        try:
            csv_rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise AppError(
                f"The body is not UTF-8 CSV: {exc}.",
                code=CatalogErrorCode.IMPORT_INVALID,
                status=422,
            ) from None
        raw_rows = list(csv_rows)
    else:
        raise AppError(
            "Send application/json or text/csv.", code=ErrorCode.UNSUPPORTED_MEDIA_TYPE, status=415
        )
    if len(raw_rows) > MAX_ROWS:
        raise AppError(
            f"At most {MAX_ROWS} products per import.",
            code=CatalogErrorCode.IMPORT_INVALID,
            status=422,
        )

    report: list[ImportRow] = []
    valid: list[ProductUpsert] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_rows, start=1):
        slug = raw.get("slug") if isinstance(raw, dict) else None
        slug = str(slug).strip() if slug else None
        try:
            if csv_rows is not None:
                stored = existing.get(slug or "")
                raw = _csv_row(raw, _stored(stored) if stored is not None else None)
            data = ProductUpsert.model_validate(raw)
            if data.slug in seen:
                raise ValueError(f"slug {data.slug!r} appears twice in this import")
            seen.add(data.slug)
            await service.check_product(db, data=data)
        except ValidationError as exc:
            report.append(ImportRow(row=number, slug=slug, action="error", errors=_errors_of(exc)))
            continue
        except (AppError, ValueError) as exc:
            report.append(ImportRow(row=number, slug=slug, action="error", errors=[str(exc)]))
            continue
        product = existing.get(data.slug)
        if product is None:
            action = "create"
        elif service.differs(product, data):
            action = "update"
        else:
            action = "unchanged"
        report.append(ImportRow(row=number, slug=data.slug, action=action))
        if action != "unchanged":
            valid.append(data)

    failed = any(r.action == "error" for r in report)
    if failed and not dry_run:
        raise AppError(
            "The import has errors; nothing was written. Fix the rows listed in `rows`.",
            code=CatalogErrorCode.IMPORT_INVALID,
            status=422,
            rows=[r.model_dump() for r in report if r.action == "error"],
        )
    if not dry_run:
        for data in valid:
            await service.upsert(db, brand=brand, data=data, bus=bus)
    return ImportReport(dry_run=dry_run, applied=not dry_run, rows=report)
