"""The notification worker: sends confirmation, change and reminder mails once each.

Any number of app processes may run it. A notification is first claimed by a
transactional update (only one worker's update matches), then sent, then marked sent.
A claim that was never marked sent (the process died in between) is taken over after
`claim_ttl`; that is the one window in which a mail could go out twice, and the stable
Message-ID lets mail clients drop such a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vitrina.brands import service as brands
from vitrina.core.config import Settings
from vitrina.core.db import transaction, utcnow
from vitrina.core.events import EventBus
from vitrina.core.mailer import Mailer, MailError
from vitrina.core.tasks import stop_after_round
from vitrina.scheduling.booking import release_expired_holds
from vitrina.scheduling.events import AppointmentChanged
from vitrina.scheduling.models import (
    Allocation,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Notification,
    NotificationKind,
    Resource,
)
from vitrina.scheduling.notifications import compose

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 8


class NotificationWorker:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        mailer: Mailer,
        sender: str,
        interval_s: float = 15.0,
        claim_ttl: timedelta = timedelta(minutes=5),
        batch_size: int = 50,
    ) -> None:
        self.sessions = sessions
        self.mailer = mailer
        self.sender = sender
        self.interval_s = interval_s
        self.claim_ttl = claim_ttl
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Let the current round finish (a cancelled database call could leave a
        connection half used), then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        await stop_after_round(self._task, timeout_s=timeout_s)
        self._task = None

    def wake(self, _event: object = None) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:
                log.exception("scheduling_worker_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
            self._wake.clear()

    async def run_once(self, *, now: datetime | None = None) -> int:
        """Expire old holds, then send every due notification; returns how many were sent."""
        now = now or utcnow()
        async with transaction(self.sessions) as db:
            await release_expired_holds(db, now=now)
        sent = 0
        while True:
            token, claimed = await self._claim(now)
            for notification_id in claimed:
                sent += await self._deliver(notification_id, token, now)
            if len(claimed) < self.batch_size:
                return sent

    async def _claim(self, now: datetime) -> tuple[str, list[str]]:
        token = str(uuid.uuid4())
        stale = now - self.claim_ttl
        claimable = (
            Notification.sent_at.is_(None),
            Notification.obsolete.is_(False),
            Notification.due_at <= now,
            Notification.attempts < MAX_ATTEMPTS,
            or_(Notification.claimed_at.is_(None), Notification.claimed_at < stale),
        )
        async with transaction(self.sessions) as db:
            ids = list(
                (
                    await db.execute(
                        select(Notification.id)
                        .where(*claimable)
                        .order_by(Notification.due_at, Notification.id)
                        .limit(self.batch_size)
                    )
                ).scalars()
            )
            if not ids:
                return token, []
            # The conditions are checked again by the update itself: of two workers that
            # saw the same rows, only the first to write claims them.
            await db.execute(
                update(Notification)
                .where(Notification.id.in_(ids), *claimable)
                .values(claim_token=token, claimed_at=now, attempts=Notification.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            mine = select(Notification.id).where(Notification.claim_token == token)
            return token, list((await db.execute(mine)).scalars())

    async def _deliver(self, notification_id: str, token: str, now: datetime) -> int:
        async with transaction(self.sessions) as db:
            notification = await db.get(Notification, notification_id)
            assert notification is not None
            appointment = await db.get(Appointment, notification.appointment_id)
            assert appointment is not None
            if _outdated(notification, appointment):
                notification.obsolete = True
                return 0
            message = await _message(db, notification, appointment, self.sender, now)
            about = appointment.sealed_for
        try:
            await self.mailer.send(message, about=about)
        except MailError as exc:
            log.warning("scheduling_mail_failed", notification=notification_id, error=str(exc))
            await self._release(notification_id, token, now, str(exc))
            return 0
        async with transaction(self.sessions) as db:
            await db.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.claim_token == token)
                .values(sent_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        log.info("scheduling_mail_sent", notification=notification_id, kind=notification.kind)
        return 1

    async def _release(self, notification_id: str, token: str, now: datetime, error: str) -> None:
        async with transaction(self.sessions) as db:
            notification = await db.get(Notification, notification_id)
            if notification is None or notification.claim_token != token:
                return
            notification.claimed_at = None
            notification.claim_token = None
            notification.last_error = error[:2000]
            # Back off 1, 2, 4 ... minutes so that a relay outage is not hammered.
            notification.due_at = now + timedelta(minutes=2 ** (notification.attempts - 1))


def _outdated(notification: Notification, appointment: Appointment) -> bool:
    if notification.kind == NotificationKind.CANCELLATION:
        return appointment.status != AppointmentStatus.CANCELLED
    if appointment.status != AppointmentStatus.CONFIRMED:
        return True
    # A confirmation or change mail queued before a later change: the later mail says it.
    return notification.sequence != appointment.sequence


async def _message(
    db: AsyncSession,
    notification: Notification,
    appointment: Appointment,
    sender: str,
    now: datetime,
) -> EmailMessage:
    appointment_type = await db.get(AppointmentType, appointment.type_id)
    assert appointment_type is not None
    names = list(
        (
            await db.execute(
                select(Resource.name)
                .join(Allocation, Allocation.resource_id == Resource.id)
                .where(Allocation.appointment_id == appointment.id)
                .where(
                    Allocation.active.is_(True)
                    if appointment.status != AppointmentStatus.CANCELLED
                    else Allocation.active.is_(False)
                )
                .order_by(Resource.kind, Resource.name)
            )
        ).scalars()
    )
    brand = await brands.get_by_slug(db, slug=appointment.brand_slug)
    return compose(
        notification=notification,
        appointment=appointment,
        appointment_type=appointment_type,
        resource_names=list(dict.fromkeys(names)),
        brand_name=brand.name if brand else appointment.brand_slug,
        sender=sender,
        now=now,
    )


def start_worker(
    *,
    sessions: async_sessionmaker[AsyncSession],
    mailer: Mailer,
    bus: EventBus,
    settings: Settings,
) -> NotificationWorker:
    """Start the worker in the running loop, woken at once by every appointment change."""
    worker = NotificationWorker(
        sessions=sessions,
        mailer=mailer,
        sender=settings.mail_from,
        interval_s=settings.scheduling_worker_interval_s,
    )
    bus.subscribe(AppointmentChanged, worker.wake)
    worker.start()
    return worker
