"""Where each domain declares the personal data it holds, for access, erasure and retention.

A domain plugs in with a module `vitrina/<domain>/personal_data.py` that calls
`register(PersonalDataSource(...))` at import (and crm, `register_customer_records`). `discover()` imports every such module,
so the export, the erasure and the retention job see every domain without a central list.
A test walks the database metadata and fails when a table with a subject or customer
column is covered by no source.
"""

from __future__ import annotations

import graphlib
import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import vitrina
from vitrina.core.config import Settings
from vitrina.core.security import Principal

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DataRequest:
    """Whose data an exporter or eraser works on; settings give the keyring for decryption."""

    brand_id: str
    subject: str
    settings: Settings


# (db, request) -> rows; values must be JSON-serialisable or datetimes. Decrypt sealed
# fields with privacy.keys.decrypt_for(db, request.settings, ...).
Exporter = Callable[[AsyncSession, DataRequest], Awaitable[list[Row]]]
# (db, request) -> how many rows were deleted or anonymised. Sealed fields need nothing:
# the subject's data key is destroyed after every eraser has run.
Eraser = Callable[[AsyncSession, DataRequest], Awaitable[int]]
# (db, cutoff) -> how many rows older than the cutoff were removed.
Purger = Callable[[AsyncSession, datetime], Awaitable[int]]
# (db, request) -> the subjects whose data keys sealed this source's rows of the person
# (a conversation started as a guest is sealed under the guest; the customer's erasure
# shreds that key too). Asked before any eraser runs.
SealedSubjects = Callable[[AsyncSession, DataRequest], Awaitable[set[str]]]


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Rows of `kind` older than `days` are purged by the retention job (settings override)."""

    kind: str
    days: int
    purge: Purger


@dataclass(frozen=True, slots=True)
class PersonalDataSource:
    """One section of the access export, and how that data is erased and retained."""

    name: str  # the export section, e.g. "insights.dwell"; becomes <name>.json and .csv
    tables: Sequence[str]  # table names whose subject columns this source answers for
    export: Exporter
    erase: Eraser
    retention: Sequence[RetentionRule] = field(default_factory=tuple)
    description: str = ""
    # Sources whose erasers must run after this one: those this eraser finds the subject's
    # rows through (a conversation is found by the email of a CRM identity, so the
    # conversations erase before the CRM profile and its identities).
    erase_before: Sequence[str] = field(default_factory=tuple)
    sealed_subjects: SealedSubjects | None = None


@dataclass(frozen=True, slots=True)
class CustomerRecords:
    """What the domain keeping the customer records (crm) tells the privacy centre, which
    sits below it: the customer a guest session has proved to be, and why some of a
    customer's records must outlive an erasure request."""

    verified_customer: Callable[[AsyncSession, Principal, str], Awaitable[str | None]]
    legal_holds: Callable[[AsyncSession, str], Awaitable[list[str]]]


_SOURCES: dict[str, PersonalDataSource] = {}
_CUSTOMER_RECORDS: list[CustomerRecords] = []


def register(source: PersonalDataSource) -> PersonalDataSource:
    """Add (or, on module reload, replace) a source."""
    _SOURCES[source.name] = source
    return source


def register_customer_records(records: CustomerRecords) -> None:
    """Declare the customer records (one domain does: crm)."""
    _CUSTOMER_RECORDS[:] = [records]


def customer_records() -> CustomerRecords:
    discover()
    return _CUSTOMER_RECORDS[0]


def unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def discover() -> None:
    """Import every `vitrina.<domain>.personal_data` module so that they register."""
    for info in pkgutil.iter_modules(vitrina.__path__):
        if not info.ispkg:
            continue
        name = f"vitrina.{info.name}.personal_data"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def sources() -> list[PersonalDataSource]:
    discover()
    return [_SOURCES[k] for k in sorted(_SOURCES)]


def erase_order(*, reverse_ties: bool = False) -> list[PersonalDataSource]:
    """Every source, each eraser before the sources named in its `erase_before`.

    Sources with no constraint between them run in name order (`reverse_ties` flips it,
    which tests use to show that erasure does not depend on names). An unknown name or a
    cycle raises ValueError.
    """
    by_name = {s.name: s for s in sources()}
    graph: dict[str, set[str]] = {name: set() for name in by_name}
    for source in by_name.values():
        for later in source.erase_before:
            if later not in by_name:
                raise ValueError(f"{source.name} erases before unknown source {later!r}")
            graph[later].add(source.name)
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise ValueError(f"erasure order has a cycle: {exc.args[1]}") from None
    order: list[PersonalDataSource] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), reverse=reverse_ties)
        order += [by_name[name] for name in ready]
        sorter.done(*ready)
    return order


def covered_tables() -> set[str]:
    return {t for s in sources() for t in s.tables}


def retention_rules() -> list[RetentionRule]:
    return [rule for s in sources() for rule in s.retention]
