"""Access and erasure requests: filing, the background job that runs them, and listing.

A request is filed inside the caller's transaction and started once that commits. The
job claims it (pending -> running) in its own transactions, so running it twice is safe.
A request a crash left running is claimed again once it has been running longer than
`STALE_AFTER`: at the next start of the server (`resume_interrupted`) or by `vitrina
privacy process`. Until then the subject's new request of that kind returns it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vitrina.core.config import Settings
from vitrina.core.db import checkpoint_wal, new_id, transaction, utcnow
from vitrina.core.errors import Conflict, NotFound
from vitrina.core.mailer import forget_outbox
from vitrina.core.tasks import every, stop_after_round
from vitrina.privacy import keys, registry
from vitrina.privacy.errors import PrivacyErrorCode
from vitrina.privacy.models import PrivacyRequest

log = structlog.get_logger(__name__)

RESPONSE_DUE = timedelta(days=30)
OPEN = ("pending", "running")
# Far above any real run (a 10,000-event export takes well under a second), so only a
# request whose process died is taken over.
STALE_AFTER = timedelta(minutes=10)
# Running jobs of this process and their request ids.
_JOBS: dict[asyncio.Task[None], str] = {}
_AFTER_COMMIT_KEY = "vitrina.privacy_jobs"

Sessions = async_sessionmaker[AsyncSession]


async def create(
    db: AsyncSession, *, brand_id: str, subject: str, kind: str, requested_by: str
) -> PrivacyRequest:
    """File a request, or return the open one of the same kind for that subject."""
    if await keys.is_erased(db, subject=subject):
        raise Conflict("This subject was erased already.", code=PrivacyErrorCode.SUBJECT_ERASED)
    existing = (
        await db.execute(
            select(PrivacyRequest).where(
                PrivacyRequest.brand_id == brand_id,
                PrivacyRequest.subject == subject,
                PrivacyRequest.kind == kind,
                PrivacyRequest.status.in_(OPEN),
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    now = utcnow()
    req = PrivacyRequest(
        id=new_id(),
        brand_id=brand_id,
        subject=subject,
        kind=kind,
        status="pending",
        progress=0.0,
        step="queued",
        requested_by=requested_by,
        requested_at=now,
        due_at=now + RESPONSE_DUE,
        summary={},
    )
    db.add(req)
    await db.flush()
    return req


async def get_or_raise(db: AsyncSession, *, request_id: str) -> PrivacyRequest:
    req = await db.get(PrivacyRequest, request_id)
    if req is None:
        raise NotFound("No such privacy request.", code=PrivacyErrorCode.REQUEST_NOT_FOUND)
    return req


async def list_requests(
    db: AsyncSession,
    *,
    brand_ids: set[str] | None,
    status: str | None = None,
    subject: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[PrivacyRequest], int]:
    query = select(PrivacyRequest)
    if brand_ids is not None:
        query = query.where(PrivacyRequest.brand_id.in_(sorted(brand_ids)))
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    if subject is not None:
        query = query.where(PrivacyRequest.subject == subject)
    total = (await db.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await db.execute(
        query.order_by(PrivacyRequest.due_at, PrivacyRequest.id).offset(offset).limit(limit)
    )
    return list(rows.scalars()), total


def start_after_commit(
    db: AsyncSession, *, sessions: Sessions, settings: Settings, request_id: str
) -> None:
    """Run the request in the background once the filing transaction has committed."""
    info = db.sync_session.info
    if _AFTER_COMMIT_KEY not in info:
        info[_AFTER_COMMIT_KEY] = []

        def launch(_session: Any) -> None:
            for rid in info.pop(_AFTER_COMMIT_KEY, []):
                start(sessions=sessions, settings=settings, request_id=rid)

        sa_event.listen(db.sync_session, "after_commit", launch, once=True)
    info[_AFTER_COMMIT_KEY].append(request_id)


def start(*, sessions: Sessions, settings: Settings, request_id: str) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(
        run(sessions=sessions, settings=settings, request_id=request_id)
    )
    _JOBS[task] = request_id
    task.add_done_callback(lambda t: _JOBS.pop(t, None))
    return task


async def stop_jobs(*, sessions: Sessions, timeout_s: float = 10.0) -> None:
    """At shutdown: let running requests finish, up to `timeout_s`; those cut off go back
    to pending, for the next start (`resume_interrupted`) or `vitrina privacy process`."""
    jobs = dict(_JOBS)
    if not jobs:
        return
    _done, late = await asyncio.wait(set(jobs), timeout=timeout_s)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    if late:
        async with transaction(sessions) as db:
            await db.execute(
                update(PrivacyRequest)
                .where(PrivacyRequest.id.in_([jobs[t] for t in late]))
                .where(PrivacyRequest.status == "running")
                .values(status="pending", step="interrupted by shutdown")
            )
        log.warning("privacy_requests_interrupted", count=len(late))


def _claimable() -> ColumnElement[bool]:
    """Pending, or left running by a process that died."""
    return or_(
        PrivacyRequest.status == "pending",
        and_(
            PrivacyRequest.status == "running",
            PrivacyRequest.started_at < utcnow() - STALE_AFTER,
        ),
    )


async def _claimable_ids(sessions: Sessions) -> list[str]:
    async with sessions() as db:
        return list(
            (
                await db.execute(
                    select(PrivacyRequest.id).where(_claimable()).order_by(PrivacyRequest.due_at)
                )
            ).scalars()
        )


async def process_pending(*, sessions: Sessions, settings: Settings) -> int:
    """Run every pending or interrupted request now (`vitrina privacy process`)."""
    ids = await _claimable_ids(sessions)
    for rid in ids:
        await run(sessions=sessions, settings=settings, request_id=rid)
    return len(ids)


async def resume_interrupted(*, sessions: Sessions, settings: Settings) -> int:
    """At start-up: start a job for every pending or interrupted request."""
    ids = await _claimable_ids(sessions)
    for rid in ids:
        start(sessions=sessions, settings=settings, request_id=rid)
    if ids:
        log.info("privacy_requests_resumed", count=len(ids))
    return len(ids)


class Sweeper:
    """Every `settings.privacy_sweep_s`, starts the requests that are pending with no job
    or were left running by a process that died, so that a crashed node's requests are
    taken up by the nodes still running, not only at the next start."""

    def __init__(self, *, sessions: Sessions, settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        await stop_after_round(self._task)
        self._task = None

    async def _run(self) -> None:
        await every(
            self.settings.privacy_sweep_s, self._stop, self._sweep, failed="privacy_sweep_failed"
        )

    async def _sweep(self) -> None:
        await resume_interrupted(sessions=self.sessions, settings=self.settings)


@asynccontextmanager
async def running(*, sessions: Sessions, settings: Settings) -> AsyncIterator[Sweeper]:
    """Requests a stop or a crash interrupted start again, now and then by a periodic
    sweep; those still running at the end finish, or go back to pending."""
    await resume_interrupted(sessions=sessions, settings=settings)
    sweeper = Sweeper(sessions=sessions, settings=settings)
    sweeper.start()
    try:
        yield sweeper
    finally:
        await sweeper.stop()
        await stop_jobs(sessions=sessions)


async def run(*, sessions: Sessions, settings: Settings, request_id: str) -> None:
    async with transaction(sessions) as db:
        claimed = await db.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id, _claimable())
            .values(status="running", started_at=utcnow(), step="starting")
        )
        if not getattr(claimed, "rowcount", 0):
            return  # another worker has it, or it is finished
        req = await get_or_raise(db, request_id=request_id)
        kind, data = req.kind, registry.DataRequest(req.brand_id, req.subject, settings)
    try:
        if kind == "access":
            await _export(sessions, request_id, data)
        else:
            await _erase(sessions, request_id, data)
    except Exception as exc:
        # The subject is never named in logs: only the request id.
        log.exception("privacy_request_failed", request_id=request_id, kind=kind)
        async with transaction(sessions) as db:
            await db.execute(
                update(PrivacyRequest)
                .where(PrivacyRequest.id == request_id)
                .values(status="failed", error=type(exc).__name__, completed_at=utcnow())
            )


async def _progress(sessions: Sessions, request_id: str, progress: float, step: str) -> None:
    async with transaction(sessions) as db:
        await db.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(progress=round(progress, 3), step=step[:120])
        )


async def _export(sessions: Sessions, request_id: str, data: registry.DataRequest) -> None:
    sources = registry.sources()
    sections: dict[str, list[registry.Row]] = {}
    for i, source in enumerate(sources):
        await _progress(sessions, request_id, i / (len(sources) + 1), f"collecting {source.name}")
        async with sessions() as db:
            sections[source.name] = await source.export(db, data)
    await _progress(sessions, request_id, len(sources) / (len(sources) + 1), "writing archive")
    folder = data.settings.data_dir / "exports"
    path = folder / f"{request_id}.zip"
    manifest = {
        "request_id": request_id,
        "subject": data.subject,
        "generated_at": utcnow().isoformat(),
        "sections": {
            s.name: {"rows": len(sections[s.name]), "description": s.description} for s in sources
        },
    }
    size = await asyncio.to_thread(_write_archive, path, manifest, sections)
    async with transaction(sessions) as db:
        if await keys.is_erased(db, subject=data.subject):
            # An erasure finished while this export was being built: it must not survive it.
            await asyncio.to_thread(path.unlink, missing_ok=True)
            await db.execute(
                update(PrivacyRequest)
                .where(PrivacyRequest.id == request_id)
                .values(status="failed", error="subject erased", completed_at=utcnow())
            )
            return
        await db.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(
                status="done",
                progress=1.0,
                step="ready",
                completed_at=utcnow(),
                archive=str(path),
                archive_bytes=size,
                summary={name: len(rows) for name, rows in sections.items()},
            )
        )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _write_archive(
    path: Path, manifest: dict[str, Any], sections: dict[str, list[registry.Row]]
) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, rows in sections.items():
            plain = [{k: _plain(v) for k, v in row.items()} for row in rows]
            zf.writestr(f"{name}.json", json.dumps(plain, indent=1, ensure_ascii=False))
            zf.writestr(f"{name}.csv", _csv(plain))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path.stat().st_size


def _csv(rows: list[registry.Row]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue()


async def _erase(sessions: Sessions, request_id: str, data: registry.DataRequest) -> None:
    """Every eraser, then the keys are destroyed and the subjects tombstoned, atomically.

    The keys destroyed are the subject's and those of every subject its rows were sealed
    under (a conversation started as a guest keeps the guest's key after the customer is
    known). Once committed, the subjects go to the erasure log (re-applied to a restored
    backup) and SQLite's write-ahead log is folded away, so that no old page with a
    wrapped key or a personal value stays in `-wal`.
    """
    summary: dict[str, int] = {}
    async with transaction(sessions) as db:
        # A guest's key is shredded for every brand (a session id is one person); a
        # customer's only through the sources, which find the profile in this brand alone.
        shredded = {data.subject} if data.subject.startswith("guest:") else set()
        for source in registry.sources():
            if source.sealed_subjects is not None:
                shredded |= await source.sealed_subjects(db, data)
        for source in registry.erase_order():
            summary[source.name] = await source.erase(db, data)
        summary["data_key_destroyed"] = int(
            data.subject in shredded
            and await keys.shred(db, subject=data.subject, request_id=request_id)
        )
        summary["linked_keys_destroyed"] = await keys.shred_all(
            db, subjects=shredded - {data.subject}, request_id=request_id
        )
        archives = await _drop_archives(db, data.subject)
        summary["archives_deleted"] = len(archives)
        await db.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == request_id)
            .values(
                status="done", progress=1.0, step="erased", completed_at=utcnow(), summary=summary
            )
        )
    for path in archives:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    await asyncio.to_thread(keys.log_erasure, data.settings, sorted(shredded), request_id)
    await asyncio.to_thread(forget_outbox, data.settings, shredded)
    async with sessions() as db:
        bind = db.bind
    if isinstance(bind, AsyncEngine):
        await checkpoint_wal(bind)


async def _drop_archives(db: AsyncSession, subject: str) -> list[Path]:
    rows = (
        await db.execute(
            select(PrivacyRequest).where(
                PrivacyRequest.subject == subject, PrivacyRequest.archive.is_not(None)
            )
        )
    ).scalars()
    paths = []
    for req in rows:
        assert req.archive is not None
        paths.append(Path(req.archive))
        req.archive = None
        req.archive_bytes = None
    await db.flush()
    return paths


def archive_path(req: PrivacyRequest) -> Path:
    if req.kind != "access" or req.status != "done":
        raise Conflict("The export is not ready yet.", code=PrivacyErrorCode.REQUEST_NOT_READY)
    if req.archive is None or not Path(req.archive).exists():
        raise NotFound("The export has expired.", code=PrivacyErrorCode.EXPORT_EXPIRED)
    return Path(req.archive)


async def purge_archives(db: AsyncSession, cutoff: datetime) -> int:
    """Retention of finished exports: delete archives completed before `cutoff`."""
    rows = (
        await db.execute(
            select(PrivacyRequest).where(
                PrivacyRequest.archive.is_not(None), PrivacyRequest.completed_at < cutoff
            )
        )
    ).scalars()
    paths = []
    for req in rows:
        assert req.archive is not None
        paths.append(Path(req.archive))
        req.archive = None
        req.archive_bytes = None
    await db.flush()
    for path in paths:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    return len(paths)
