"""Shared documents: an advisor's quote or financing offer as a brand-signed PDF, which
the customer countersigns with a key of theirs.

- The PDF is made on the server; its SHA-256 is signed with the brand's Ed25519 key
  (a detached signature) and written to the ledger.
- The customer countersigns the hash: a wallet signs an EIP-4361 text naming the document,
  its version and its SHA-256 with `personal_sign`; a did:key signs the same statement
  with Ed25519 (see proofs.py). The countersignature is written to the ledger too.
- A new version of an offer withdraws the versions not yet countersigned. Anyone holding
  a PDF (or its hash) can ask which version it is and check both signatures.

The brand's key is derived from the installation's secret key (HKDF-SHA256, one key per
brand), so every node signs with the same key without storing it; its public half is
published at `GET /api/brands/{brand}/commerce/documents/key`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.brands.models import Brand
from vitrina.catalog import money
from vitrina.commerce import journal, pdf, proofs
from vitrina.commerce.errors import CommerceErrorCode
from vitrina.commerce.events import DocumentChanged
from vitrina.commerce.models import Document, DocumentStatus
from vitrina.core.config import Settings
from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict, NotFound
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.identity import didkey, siwe

KINDS = ("quote", "financing")
_ROW_LABELS = {
    "en": {
        "price": "Price",
        "deposit": "Deposit",
        "financed": "Amount financed",
        "months": "Duration (months)",
        "rate": "Annual rate",
        "monthly": "Monthly payment",
        "configuration": "Configuration",
    },
    "fr": {
        "price": "Prix",
        "deposit": "Acompte",
        "financed": "Montant financé",
        "months": "Durée (mois)",
        "rate": "Taux annuel",
        "monthly": "Mensualité",
        "configuration": "Configuration",
    },
    "it": {
        "price": "Prezzo",
        "deposit": "Anticipo",
        "financed": "Importo finanziato",
        "months": "Durata (mesi)",
        "rate": "Tasso annuo",
        "monthly": "Rata mensile",
        "configuration": "Configurazione",
    },
}


@dataclass(frozen=True, slots=True)
class Verdict:
    document: Document | None
    brand_signature_valid: bool
    countersignature_valid: bool
    latest_version: int | None


def brand_key(settings: Settings, brand: Brand) -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"vitrina commerce documents",
        info=f"brand:{brand.id}".encode(),
    ).derive(settings.resolved_secret_key.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def monthly_payment(
    principal: Decimal, *, annual_rate: Decimal, months: int, currency: str
) -> Decimal:
    """The annuity payment, rounded to the currency's minor unit."""
    q = money.quantum(currency)
    if annual_rate == 0:
        return (principal / months).quantize(q)
    r = annual_rate / 12
    return (principal * r / (1 - (1 + r) ** -months)).quantize(q)


def _rows(kind: str, terms: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    labels = _ROW_LABELS.get(locale, _ROW_LABELS["en"])
    cur = str(terms["currency"])
    rows = [(labels["price"], f"{terms['price']} {cur}")]
    if terms.get("configuration_id"):
        rows.insert(0, (labels["configuration"], str(terms["configuration_id"])))
    if kind == "financing":
        rows += [
            (labels["deposit"], f"{terms['deposit']} {cur}"),
            (labels["financed"], f"{terms['financed']} {cur}"),
            (labels["months"], str(terms["months"])),
            (labels["rate"], f"{Decimal(str(terms['annual_rate'])) * 100:.2f} %"),
            (labels["monthly"], f"{terms['monthly']} {cur}"),
        ]
    return rows


def financing_terms(
    *, price: Decimal, deposit: Decimal, months: int, annual_rate: Decimal, currency: str
) -> dict[str, Any]:
    financed = price - deposit
    return {
        "currency": currency,
        "price": str(price),
        "deposit": str(deposit),
        "financed": str(financed),
        "months": months,
        "annual_rate": str(annual_rate),
        "monthly": str(
            monthly_payment(financed, annual_rate=annual_rate, months=months, currency=currency)
        ),
    }


def countersign_statement(document: Document) -> str:
    return (
        f"countersign the {document.kind} {document.id} version {document.version} "
        f"with SHA-256 {document.sha256}."
    )


async def share(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    settings: Settings,
    brand: Brand,
    staff_id: str,
    customer_id: str,
    kind: str,
    title: str,
    terms: dict[str, Any],
    notes: str,
    locale: str,
    thread_id: str | None = None,
) -> Document:
    profile = await crm.root_of(db, await crm.get_or_raise(db, customer_id=customer_id))
    if profile.brand_id != brand.id:
        raise NotFound(f"No customer {customer_id}.", code="customer_not_found")
    version = 1
    if thread_id is not None:
        previous = list(
            (
                await db.execute(
                    select(Document)
                    .where(Document.thread_id == thread_id, Document.brand_id == brand.id)
                    .order_by(Document.version.desc())
                )
            ).scalars()
        )
        if not previous or previous[0].customer_id != profile.id:
            raise NotFound(f"No offer {thread_id}.", code=CommerceErrorCode.DOCUMENT_NOT_FOUND)
        version = previous[0].version + 1
        await db.execute(
            update(Document)
            .where(Document.thread_id == thread_id, Document.status == DocumentStatus.SHARED)
            .values(status=DocumentStatus.WITHDRAWN)
            .execution_options(synchronize_session=False)
        )
    now = utcnow().replace(microsecond=0)
    document_id = new_id()
    content = pdf.render(
        brand_name=brand.name,
        kind=kind,
        title=title,
        document_id=document_id,
        version=version,
        customer_name=profile.display_name or "",
        rows=_rows(kind, terms, locale),
        notes=notes,
        locale=locale,
        created_at=now,
        verify_url=f"{settings.public_url.rstrip('/')}/api/brands/{brand.slug}/commerce/documents/verify",
    )
    digest = hashlib.sha256(content).hexdigest()
    key = brand_key(settings, brand)
    document = Document(
        id=document_id,
        brand_id=brand.id,
        customer_id=profile.id,
        thread_id=thread_id or document_id,
        version=version,
        kind=kind,
        title=title,
        configuration_id=terms.get("configuration_id"),
        terms=terms,
        status=DocumentStatus.SHARED,
        created_by=staff_id,
        sha256=digest,
        brand_key=public_key_hex(key),
        brand_signature=_b64(key.sign(bytes.fromhex(digest))),
        pdf_content=base64.b64encode(content).decode(),
        created_at=now,
        updated_at=now,
    )
    db.add(document)
    await db.flush()
    entry = await journal.record(
        db,
        brand=brand.slug,
        kind="document.signed",
        facts={
            "document": document.id,
            "thread": document.thread_id,
            "version": version,
            "kind": kind,
            "sha256": digest,
            "brand_key": document.brand_key,
            "signature": document.brand_signature,
        },
        subjects={"customer": profile.id},
    )
    document.brand_ledger_seq = entry.seq
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(
            db,
            DocumentChanged(
                brand=brand.slug,
                customer_id=profile.id,
                summary=f"Received the {kind} “{title}” (version {version}) to countersign",
                document_id=document.id,
                action="shared",
                kind=kind,
                version=version,
                sha256=digest,
            ),
        )
    return document


async def get_or_raise(db: AsyncSession, *, brand: Brand, document_id: str) -> Document:
    document = await db.get(Document, document_id)
    if document is None or document.brand_id != brand.id:
        raise NotFound(f"No document {document_id}.", code=CommerceErrorCode.DOCUMENT_NOT_FOUND)
    return document


async def get_own_or_raise(
    db: AsyncSession, *, brand: Brand, document_id: str, customer_id: str
) -> Document:
    document = await get_or_raise(db, brand=brand, document_id=document_id)
    if document.customer_id != customer_id:
        raise NotFound(f"No document {document_id}.", code=CommerceErrorCode.DOCUMENT_NOT_FOUND)
    return document


async def list_of_customer(db: AsyncSession, *, brand: Brand, customer_id: str) -> list[Document]:
    rows = await db.execute(
        select(Document)
        .where(Document.brand_id == brand.id, Document.customer_id == customer_id)
        .order_by(Document.created_at.desc(), Document.version.desc())
    )
    return list(rows.scalars())


def pdf_bytes(document: Document) -> bytes:
    return base64.b64decode(document.pdf_content) if document.pdf_content else b""


async def countersign_challenge(
    db: AsyncSession,
    *,
    settings: Settings,
    principal: Principal,
    brand: Brand,
    document: Document,
    method: proofs.Method,
    signer: str,
) -> proofs.Issued:
    _shared(document)
    return await proofs.issue(
        db,
        settings=settings,
        principal=principal,
        brand=brand,
        customer_id=document.customer_id,
        purpose="document",
        target_id=document.id,
        action=countersign_statement(document),
        method=method,
        signer=signer,
        terms={"sha256": document.sha256},
    )


def _shared(document: Document) -> None:
    if document.status != DocumentStatus.SHARED:
        raise Conflict(
            f"This document is {document.status}.", code=CommerceErrorCode.DOCUMENT_STATE
        )


async def countersign(
    db: AsyncSession,
    *,
    bus: EventBus | None,
    principal: Principal,
    brand: Brand,
    document: Document,
    text: str,
    signature: str,
) -> Document:
    _shared(document)
    proof = await proofs.redeem(
        db,
        principal=principal,
        brand=brand,
        customer_id=document.customer_id,
        purpose="document",
        target_id=document.id,
        text=text,
        signature=signature,
    )
    if proof.terms.get("sha256") != document.sha256:
        raise proofs.ProofInvalid("The challenge was issued for another version.")
    changed = await db.execute(
        update(Document)
        .where(Document.id == document.id, Document.status == DocumentStatus.SHARED)
        .values(status=DocumentStatus.COUNTERSIGNED)
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        raise Conflict("The document changed meanwhile.", code=CommerceErrorCode.DOCUMENT_STATE)
    await db.refresh(document)
    document.countersign_method = str(proof.terms["method"])
    document.countersigner = str(proof.terms["signer"])
    document.countersign_message = text
    document.countersignature = signature
    document.countersigned_at = utcnow()
    entry = await journal.record(
        db,
        brand=brand.slug,
        kind="document.countersigned",
        facts={
            "document": document.id,
            "version": document.version,
            "sha256": document.sha256,
            "method": document.countersign_method,
            "message_sha256": hashlib.sha256(text.encode()).hexdigest(),
            # Not the signature itself: a wallet's signature gives its address away.
            "signature_sha256": hashlib.sha256(signature.encode()).hexdigest(),
        },
        subjects={"customer": document.customer_id},
    )
    document.countersign_ledger_seq = entry.seq
    await db.flush()
    if bus is not None:
        bus.publish_on_commit(
            db,
            DocumentChanged(
                brand=brand.slug,
                customer_id=document.customer_id,
                summary=f"Countersigned the {document.kind} “{document.title}” (version {document.version})",
                document_id=document.id,
                action="countersigned",
                kind=document.kind,
                version=document.version,
                sha256=document.sha256,
            ),
        )
    return document


def brand_signature_valid(document: Document) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(document.brand_key))
        key.verify(_unb64(document.brand_signature), bytes.fromhex(document.sha256))
    except (InvalidSignature, ValueError):
        return False
    return True


def countersignature_valid(document: Document) -> bool:
    """The stored countersignature, checked again from scratch. After an erasure the
    signed text and the signer read as empty and this is False; the ledger keeps the
    hash of the text and the signature."""
    if document.countersignature is None or not document.countersign_message:
        return False
    if f"SHA-256 {document.sha256}." not in document.countersign_message:
        return False
    try:
        if document.countersign_method == "siwe":
            return siwe.recover_signer(document.countersign_message, document.countersignature) == (
                document.countersigner
            )
        didkey.verify(
            document.countersigner, document.countersign_message, document.countersignature
        )
    except (siwe.SiweError, didkey.DidKeyError):
        return False
    return True


async def verify(db: AsyncSession, *, brand: Brand, sha256: str) -> Verdict:
    document = (
        await db.execute(
            select(Document).where(Document.brand_id == brand.id, Document.sha256 == sha256)
        )
    ).scalar_one_or_none()
    if document is None:
        return Verdict(None, False, False, None)
    latest = await db.scalar(
        select(Document.version)
        .where(Document.thread_id == document.thread_id)
        .order_by(Document.version.desc())
        .limit(1)
    )
    return Verdict(
        document,
        brand_signature_valid(document),
        countersignature_valid(document),
        int(latest) if latest is not None else None,
    )
