"""What the ledger holds about a person: off-chain only.

The chain itself holds no personal value: an entry about a person carries a commitment,
SHA-256(salt || "<seq>\\n<role>\\n<subject>"), under a salt kept off-chain per (brand,
person) in `ledger_salt` (sealed under the person's data key) and, in
`ledger_subject_link`, which entries commit to them. The access export hands over the
salt with the entries, so the person can prove each commitment is theirs. Erasure deletes
both and the person's key is shredded: the chain stays verifiable (no byte of it changes)
and its commitments point to no one.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core import sealing
from vitrina.ledger import service
from vitrina.ledger.models import LedgerKey, LedgerSalt, LedgerSubjectLink
from vitrina.privacy.registry import DataRequest, PersonalDataSource, Row, register

SUBJECT_ID = "an opaque subject id (customer or guest session id), no personal value"

sealing.seal_columns(LedgerSalt, "salt", subject=lambda rows, s: s.subject)
sealing.seal_columns(
    LedgerKey, "private_key", subject=lambda rows, k: service.key_subject(k.brand_id)
)
sealing.not_personal("ledger_salt", subject=SUBJECT_ID)
sealing.not_personal("ledger_subject_link", subject=SUBJECT_ID)
sealing.not_personal("ledger_pledge", texts="the brand's wording of a pledge")


def _brand_filter(model: type[LedgerSalt] | type[LedgerSubjectLink], req: DataRequest) -> list:  # type: ignore[type-arg]
    # A guest session is one person whatever the brand; a customer belongs to one brand.
    clauses = [model.subject == req.subject]
    if not req.subject.startswith("guest:"):
        clauses.append(model.brand_id == req.brand_id)
    return clauses


async def _export(db: AsyncSession, req: DataRequest) -> list[Row]:
    salts = (await db.execute(select(LedgerSalt).where(*_brand_filter(LedgerSalt, req)))).scalars()
    out: list[Row] = []
    for salt_row in salts:
        if not salt_row.salt:
            continue
        for entry in await service.entries_of_subject(
            db, brand_id=salt_row.brand_id, subject=salt_row.subject
        ):
            out.append(
                {
                    "seq": entry.seq,
                    "kind": entry.kind,
                    "at": entry.at,
                    "roles": list(entry.roles),
                    "facts": entry.facts,
                    "hash": entry.hash,
                    "subject": salt_row.subject,
                    "salt": salt_row.salt,
                    "commitment": "sha256(base64url-decoded salt + '<seq>\\n<role>\\n<subject>')",
                    "entry": entry.line,
                }
            )
    return out


async def _erase(db: AsyncSession, req: DataRequest) -> int:
    links = await db.execute(
        delete(LedgerSubjectLink).where(*_brand_filter(LedgerSubjectLink, req))
    )
    salts = await db.execute(delete(LedgerSalt).where(*_brand_filter(LedgerSalt, req)))
    await db.flush()
    return int(getattr(links, "rowcount", 0) or 0) + int(getattr(salts, "rowcount", 0) or 0)


async def _sealed_subjects(db: AsyncSession, req: DataRequest) -> set[str]:
    """The salts are sealed under the person's own key: shred it even when no other
    domain holds anything of theirs."""
    found = await db.scalar(select(LedgerSalt.subject).where(*_brand_filter(LedgerSalt, req)))
    return {req.subject} if found else set()


register(
    PersonalDataSource(
        name="ledger.entries",
        tables=["ledger_salt", "ledger_subject_link"],
        export=_export,
        erase=_erase,
        sealed_subjects=_sealed_subjects,
        description=(
            "The brand's public ledger entries about you (orders, ownership, consent), with "
            "the secret salt that proves each entry's commitment is yours."
        ),
    )
)
