"""Personal columns sealed at rest under their subject's key, transparently for the ORM.

A domain declares, in its personal_data.py, which columns of its tables hold personal
values and whose they are:

    sealing.seal_columns(
        Conversation, "customer_name", "customer_email",
        subject=lambda rows, c: f"guest:{c.guest_session_id}" if c.guest_session_id else None,
        blind={"customer_email": sealing.Blind("customer_email_hash", str.lower)},
    )

From then on, in a session made with a `Sealer` (`create_sessionmaker(engine, sealer=...)`):

- a flush writes every changed non-empty value of those columns as an AES-GCM token under
  the data key of the row's subject, recorded once in the row's `sealed_for` column (a row
  keeps the subject it was first sealed under, whatever happens to it later); the objects
  in memory keep their plaintext;
- loading a row opens its tokens; once the subject was erased (its key destroyed) the
  values read as empty;
- a `Blind` column gets a keyed hash (HMAC) of the value, so that equality searches and
  unique constraints work without the plaintext: `await sealing.blind(db, value)`.

Only ORM units of work are covered: a bulk `update(...).values(...)` of a sealed column
may only blank it, and a query selecting a sealed column on its own (not the entity) reads
the token. Subjects that cannot be known from the row alone (a message is its
conversation's) ask `Rows.sealed_for(Model, id)`, which sees rows pending in the same flush.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, ColumnElement, event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from vitrina.core.crypto import ERASED_SUBJECT, CryptoError, Keyring, SubjectErased, is_token
from vitrina.core.errors import Conflict

SEALER_INFO = "vitrina.sealer"
SUBJECT_COLUMN = "sealed_for"
# What erasers write into `sealed_for`: the row no longer says whose it was, and every
# sealed column of it reads as empty (its key is destroyed in the same transaction).
ERASED = ERASED_SUBJECT
# What a subject function returns for a row that holds no one's personal data (a staff
# member's entry in a log): it is stored as written.
CLEAR = "clear"
_RESTORE_INFO = "vitrina.sealing.restore"


class SealingError(RuntimeError):
    """Personal values were about to be written in clear (a session without a sealer)."""


def _same(value: str) -> str:
    return value


@dataclass(frozen=True, slots=True)
class Blind:
    """A keyed-hash column kept next to a sealed one, for equality lookups."""

    column: str
    normalise: Callable[[str], str] = _same


class Rows:
    """What a subject function may ask about other rows while a flush is being prepared."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: dict[tuple[type, Any], Any] | None = None

    def sealed_for(self, model: type, row_id: Any) -> str | None:
        """The subject a row of `model` is (or will be) sealed under, or None when there is
        no such row. Nothing is written to that row: a row stored before sealing existed
        gets the same subject when `encrypt-existing` reaches it."""
        if row_id is None:
            return None
        if self._pending is None:
            self._pending = {(type(o), getattr(o, "id", None)): o for o in self.session.new}
        obj = self._pending.get((model, row_id))
        if obj is None:
            obj = self.session.identity_map.get(self.session.identity_key(model, row_id))
        if obj is None:
            column: ColumnElement[str | None] = inspect(model).columns[SUBJECT_COLUMN]
            pk: ColumnElement[Any] = inspect(model).primary_key[0]
            found = self.session.execute(select(column).where(pk == row_id)).first()
            if found is None or found[0]:
                return None if found is None else str(found[0])
            with self.session.no_autoflush:
                obj = self.session.get(model, row_id)
            if obj is None:
                return None
        current: str | None = getattr(obj, SUBJECT_COLUMN, None)
        decl = _SEALED.get(type(obj))
        if current or decl is None:
            return current
        return decl.subject(self, obj)


SubjectOf = Callable[[Rows, Any], "str | None"]
# A subject is "guest:<id>", "customer:<id>", or the record itself ("conversation:<id>")
# when the row names no person yet; it must fit privacy_data_key.subject (64 characters).


@dataclass(frozen=True, slots=True)
class SealedTable:
    model: type
    columns: tuple[str, ...]
    # Whose key seals a new row (decided once, kept in the row's sealed_for column).
    subject: SubjectOf
    blind: Mapping[str, Blind] = field(default_factory=dict)
    # The value an erased subject's column reads as (default: {} for JSON, None for a
    # nullable column, "" otherwise).
    empty: Mapping[str, Any] = field(default_factory=dict)
    # For rows stored before sealing: turns personal values kept in clear columns into
    # blind indexes (given the blind-index function), run by `encrypt-existing`.
    rewrite: Callable[[Any, Callable[[str], str]], None] | None = None

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)  # type: ignore[attr-defined]

    def is_json(self, column: str) -> bool:
        return isinstance(self.model.__table__.c[column].type, JSON)  # type: ignore[attr-defined]

    def empty_value(self, column: str) -> Any:
        if column in self.empty:
            value = self.empty[column]
            return value.copy() if isinstance(value, dict | list) else value
        if self.is_json(column):
            return {}
        return None if self.model.__table__.c[column].nullable else ""  # type: ignore[attr-defined]


_SEALED: dict[type, SealedTable] = {}
_NOT_PERSONAL: dict[str, dict[str, str]] = {}


def seal_columns(
    model: type,
    *columns: str,
    subject: SubjectOf,
    blind: Mapping[str, Blind] | None = None,
    empty: Mapping[str, Any] | None = None,
    rewrite: Callable[[Any, Callable[[str], str]], None] | None = None,
) -> SealedTable:
    """Declare the personal columns of `model` (see the module docstring)."""
    table = model.__table__  # type: ignore[attr-defined]
    for name in (*columns, SUBJECT_COLUMN, *(b.column for b in (blind or {}).values())):
        if name not in table.c:
            raise ValueError(f"{table.name} has no column {name!r} to seal")
    decl = SealedTable(
        model, tuple(columns), subject, dict(blind or {}), dict(empty or {}), rewrite
    )
    if model not in _SEALED:
        event.listen(model, "load", _on_load)
        event.listen(model, "refresh", _on_refresh)
    _SEALED[model] = decl
    return decl


def not_personal(table: str, **why: str) -> None:
    """Declare columns whose names sound personal but hold no customer's data, with why."""
    _NOT_PERSONAL.setdefault(table, {}).update(why)


def sealed_tables() -> dict[str, SealedTable]:
    return {d.table: d for d in _SEALED.values()}


def not_personal_columns() -> dict[str, dict[str, str]]:
    return {t: dict(c) for t, c in _NOT_PERSONAL.items()}


class Sealer:
    """Seals and opens declared columns for the sessions that carry it in `info`."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def seal(
        self, session: Session, subject: str, decl: SealedTable, column: str, value: Any
    ) -> str:
        text = json.dumps(value, ensure_ascii=False) if decl.is_json(column) else str(value)
        return self.keyring.seal(session, subject, text)

    def open(
        self, session: Session, subject: str, decl: SealedTable, column: str, token: str
    ) -> Any:
        try:
            text = self.keyring.open(session, subject, token)
        except SubjectErased:
            return decl.empty_value(column)
        return json.loads(text) if decl.is_json(column) else text


def _sealer(session: Session) -> Sealer | None:
    sealer: Sealer | None = session.info.get(SEALER_INFO)
    return sealer


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def subject_of(rows: Rows, obj: Any, decl: SealedTable) -> str:
    """The subject `obj` is sealed under, deciding it (once) when it has none yet."""
    current: str | None = getattr(obj, SUBJECT_COLUMN, None)
    if current:
        return current
    if getattr(obj, "id", "") is None:
        obj.id = str(uuid.uuid4())  # the id a record subject is named after
    chosen = decl.subject(rows, obj)
    if not chosen:
        raise SealingError(f"no subject to seal a row of {decl.table} under")
    if chosen != CLEAR:
        setattr(obj, SUBJECT_COLUMN, chosen)
    return chosen


def _changed(obj: Any, column: str, new: bool) -> bool:
    if new:
        return True
    return bool(inspect(obj).attrs[column].history.has_changes())


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    work = [
        (obj, decl, obj in session.new)
        for obj in (*session.new, *session.dirty)
        if (decl := _SEALED.get(type(obj))) is not None
    ]
    if not work:
        return
    sealer = _sealer(session)
    if sealer is None:
        raise SealingError(
            "this session has no sealer: personal columns would be written in clear "
            "(create_sessionmaker(engine, sealer=privacy.keys.sealer(settings)))"
        )
    rows = Rows(session)
    restore: list[tuple[Any, str, Any]] = session.info.setdefault(_RESTORE_INFO, [])
    # First who, for every value to seal (so that all their keys come in a few queries),
    # then the sealing itself.
    todo: list[tuple[Any, SealedTable, str, str, Any]] = []
    for obj, decl, new in work:
        for column in decl.columns:
            if not _changed(obj, column, new):
                continue
            value = getattr(obj, column)
            blind = decl.blind.get(column)
            if is_empty(value):
                if blind is not None:
                    setattr(obj, blind.column, None)
                continue
            subject = subject_of(rows, obj, decl)
            if subject != CLEAR:
                todo.append((obj, decl, column, subject, value))
    try:
        sealer.keyring.prefetch(session, {subject for _, _, _, subject, _ in todo}, create=True)
        for obj, decl, column, subject, value in todo:
            blind = decl.blind.get(column)
            if blind is not None:
                setattr(obj, blind.column, sealer.keyring.blind(session, blind.normalise(value)))
            setattr(obj, column, sealer.seal(session, subject, decl, column, value))
            restore.append((obj, column, value))
    except SubjectErased:
        raise Conflict(
            "The person this record is about was erased: it takes no new personal data.",
            code="subject_erased",
        ) from None


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    """The rows are written sealed; the objects go back to holding plaintext."""
    for obj, column, value in session.info.pop(_RESTORE_INFO, []):
        set_committed_value(obj, column, value)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: object) -> None:
    session.info.pop(_RESTORE_INFO, None)


def _open_row(session: Session | None, obj: Any, attrs: Iterable[str] | None) -> None:
    if session is None:
        return
    decl = _SEALED.get(type(obj))
    sealer = _sealer(session)
    if decl is None or sealer is None:
        return
    state = obj.__dict__
    subject = state.get(SUBJECT_COLUMN)
    wanted = decl.columns if attrs is None else [c for c in decl.columns if c in set(attrs)]
    for column in wanted:
        value = state.get(column)
        if not is_token(value) or not subject:
            continue  # empty, not loaded, or plaintext a migration has not sealed yet
        if subject == ERASED:
            set_committed_value(obj, column, decl.empty_value(column))
            continue
        try:
            plain = sealer.open(session, subject, decl, column, value)
        except CryptoError as exc:
            raise CryptoError(f"{decl.table}.{column}: {exc}") from None
        set_committed_value(obj, column, plain)


def _on_load(target: Any, context: Any) -> None:
    _open_row(context.session, target, None)


def _on_refresh(target: Any, context: Any, attrs: Iterable[str] | None) -> None:
    _open_row(context.session, target, attrs)


def blind_sync(session: Session, value: str) -> str:
    """`blind` from synchronous code running under an AsyncSession (run_sync, events)."""
    sealer = _sealer(session)
    if sealer is None:
        raise SealingError("this session has no sealer: cannot compute blind indexes")
    return sealer.keyring.blind(session, value)


async def blind(db: AsyncSession, value: str) -> str:
    """The blind index of `value` (already normalised as the column's `Blind` does)."""
    return (await blind_many(db, [value]))[0]


async def blind_many(db: AsyncSession, values: Iterable[str]) -> list[str]:
    items = list(values)

    def run(session: Session) -> list[str]:
        return [blind_sync(session, v) for v in items]

    return await db.run_sync(run)


async def subjects_sealing(db: AsyncSession, model: type, *where: ColumnElement[bool]) -> set[str]:
    """The subjects whose keys sealed the rows of `model` matching `where` (for erasure)."""
    column: ColumnElement[str | None] = inspect(model).columns[SUBJECT_COLUMN]
    rows = await db.execute(select(column).where(*where, column.is_not(None)).distinct())
    return {s for s in rows.scalars() if s}
