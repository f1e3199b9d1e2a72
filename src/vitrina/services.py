"""The composition root: every service the app runs, built from the settings in one place.

`start(settings)` starts the parts in dependency order through one `AsyncExitStack`:
each part registers its own stop as soon as it has started, so leaving the context, or a
failure at any step, stops in reverse order exactly what was running. Each domain says
how it starts and stops (an async context manager, or `start()`/`stop()`); nothing else
starts anything, and no route module has a start-up hook.

Every started part is also added to the app's `Components` under its type, where the
small accessors that routes use as dependencies find it (`vitrina.api.deps.get_sessions`,
`vitrina.routing.routes.get_console_hub`, ...).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vitrina import __version__
from vitrina.bot import service as bot_service
from vitrina.bot import wiring as bot_wiring
from vitrina.brands import service as brand_service
from vitrina.commerce import wiring as commerce_wiring
from vitrina.conversations.channels import background as channels
from vitrina.conversations.channels.mail import MailIngest
from vitrina.conversations.channels.webhook_outbox import WebhookSender
from vitrina.conversations.channels.widget import CustomerHub
from vitrina.core.broker import Broker, create_broker
from vitrina.core.components import Components, HasComponents
from vitrina.core.config import Settings
from vitrina.core.db import checkpoint_wal, create_engine, create_sessionmaker, transaction
from vitrina.core.events import EventBus
from vitrina.core.heap import Warming, freeze_after_warm_up
from vitrina.core.mailer import Mailer, create_mailer
from vitrina.core.ratelimit import RateLimits
from vitrina.core.readcache import ReadCache
from vitrina.core.security import Credentials
from vitrina.crm import wiring as crm_wiring
from vitrina.crm.webhooks import Dispatcher
from vitrina.identity.credentials import IdentityCredentials
from vitrina.insights import recommend
from vitrina.insights.bot_personas import BrandPersonas
from vitrina.insights.dashboard import DashboardFeed
from vitrina.insights.domain_signals import DomainSignals
from vitrina.insights.world_signals import WorldSignals
from vitrina.ledger.anchor import AnchorJob, FileAnchor
from vitrina.ledger.consent import ConsentLedger
from vitrina.ledger.pledges import PledgeCounter, subject_of_booking
from vitrina.ledger.proof_cache import ProofCache
from vitrina.migrations.runner import ensure_migrated
from vitrina.privacy import keys as privacy_keys
from vitrina.privacy import requests as privacy_requests
from vitrina.routing.console import ConsoleHub
from vitrina.routing.jobs import RoutingJobs
from vitrina.scheduling.events import AppointmentBooked
from vitrina.scheduling.worker import NotificationWorker
from vitrina.scheduling.worker import start_worker as start_scheduling_worker
from vitrina.training.nlu import BotReader
from vitrina.training.runner import TrainingRooms
from vitrina.world.hub import WorldHub

log = structlog.get_logger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Services:
    """Everything the running app holds, typed; built only by `start`."""

    settings: Settings
    bus: EventBus
    rate_limits: RateLimits
    warming: Warming
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    broker: Broker
    mailer: Mailer
    world_hub: WorldHub
    scheduling_worker: NotificationWorker
    channels: channels.Channels
    console_hub: ConsoleHub
    routing_jobs: RoutingJobs
    webhook_dispatcher: Dispatcher
    payments: commerce_wiring.Payments
    ledger_anchor: AnchorJob
    bot: bot_service.Runtime | None
    training: TrainingRooms


@asynccontextmanager
async def start(
    settings: Settings, components: Components | None = None
) -> AsyncIterator[Services]:
    """Start every part in order; stop them in reverse when the context is left.

    `components` receives each part as it starts (the app's, so requests can reach them);
    it is left as it was at the end, for the caller to clear.
    """
    found = components if components is not None else Components()

    def add(kind: type[T], item: T) -> T:
        return found.add(kind, item)

    async with AsyncExitStack() as stack:
        add(Settings, settings)
        add(Credentials, IdentityCredentials())  # type: ignore[type-abstract]
        bus = add(EventBus, EventBus())
        warming = add(Warming, Warming())
        engine = add(AsyncEngine, create_engine(settings.resolved_database_url))
        stack.push_async_callback(engine.dispose)
        # Unwound just before the engine goes, once everything that publishes has stopped.
        stack.push_async_callback(bus.drain)
        await ensure_migrated(engine)
        broker = create_broker(settings.redis_url)
        await broker.start()
        stack.push_async_callback(broker.close)
        add(Broker, broker)  # type: ignore[type-abstract]
        # Storefront reads served from memory, emptied by any write to what they show.
        read_cache = add(ReadCache, ReadCache())
        read_cache.watch(engine)
        stack.push_async_callback(await read_cache.listen(broker))
        rate_limits = add(
            RateLimits, RateLimits(settings.redis_url, secret=settings.resolved_secret_key)
        )
        stack.push_async_callback(rate_limits.close)
        sessions = create_sessionmaker(engine, sealer=privacy_keys.sealer(settings))
        add(async_sessionmaker, sessions)
        await privacy_keys.ensure_index_key(sessions, settings)
        # A restored backup may hold keys of subjects erased since: shred them again.
        async with transaction(sessions) as db:
            reshredded = await privacy_keys.reapply_erasures(db, settings)
        if reshredded:
            log.warning("erasures_reapplied", keys=reshredded)
            await checkpoint_wal(engine)

        async def brand_layout(slug: str) -> dict[str, Any] | None:
            """The world's rooms follow the zones of the brand's stored layout."""
            async with sessions() as db:
                brand = await brand_service.get_by_slug(db, slug=slug)
                return None if brand is None else dict(brand.layout)

        world_hub = add(WorldHub, WorldHub(settings, broker, bus, layout_source=brand_layout))
        await world_hub.start()
        stack.push_async_callback(world_hub.stop)
        mailer: Mailer = create_mailer(settings)
        add(Mailer, mailer)  # type: ignore[type-abstract]
        worker = add(
            NotificationWorker,
            start_scheduling_worker(sessions=sessions, mailer=mailer, bus=bus, settings=settings),
        )
        stack.push_async_callback(worker.stop)
        running_channels = await stack.enter_async_context(
            channels.running(
                settings=settings,
                sessions=sessions,
                bus=bus,
                broker=broker,
                mailer=mailer,
                world_hub=world_hub,
            )
        )
        add(channels.Channels, running_channels)
        add(CustomerHub, running_channels.customers)
        add(MailIngest, running_channels.mail_ingest)
        add(WebhookSender, running_channels.webhook_sender)
        console_hub = add(ConsoleHub, ConsoleHub(broker, bus))
        await console_hub.start()
        stack.push_async_callback(console_hub.close)
        routing_jobs = add(RoutingJobs, RoutingJobs(sessions, bus, settings))
        routing_jobs.start()
        stack.push_async_callback(routing_jobs.close)
        await stack.enter_async_context(
            privacy_requests.running(sessions=sessions, settings=settings)
        )
        # Signals sent over the world socket reach the same gate as the insights API.
        stack.callback(WorldSignals(sessions, bus, settings).start())
        # Configurations, questions, bookings and orders reach it too, as the same signals.
        stack.callback(DomainSignals(sessions, bus, settings).start())
        # Pledges count actions of other domains on the ledger, which knows none of them.
        pledge_counter = add(PledgeCounter, PledgeCounter(sessions))

        async def count_booking(event: AppointmentBooked) -> None:
            await pledge_counter.on_action(
                brand=event.brand_slug,
                action="booking.created",
                subject=subject_of_booking(event.customer_id, event.customer_ref),
            )

        stack.callback(bus.subscribe(AppointmentBooked, count_booking))
        # Inclusion proofs from this node's memory: entries and Merkle nodes never change.
        add(ProofCache, ProofCache(head_max_age_s=settings.ledger_proof_head_max_age_s))
        # Consent changes are written to the brands' ledgers once committed.
        stack.callback(ConsentLedger(sessions).start(bus))
        anchor_job = add(
            AnchorJob,
            AnchorJob(
                sessions,
                FileAnchor(settings.data_dir / "ledger-anchors.jsonl"),
                interval_s=settings.resolved_anchor_interval_s,
            ),
        )
        if anchor_job.interval_s > 0:
            anchor_job.start()
            stack.push_async_callback(anchor_job.close)
        # The supervisor dashboard: events become notices on the console socket.
        dashboard_feed = add(
            DashboardFeed,
            DashboardFeed(sessions, bus, broker, world_hub.census),
        )
        dashboard_feed.start()
        stack.push_async_callback(dashboard_feed.stop)
        # Recommendation models rebuilt in the background end before the database does.
        stack.push_async_callback(recommend.stop_refreshes)
        dispatcher = await stack.enter_async_context(
            crm_wiring.running(settings=settings, sessions=sessions, bus=bus)
        )
        add(Dispatcher, dispatcher)
        payments = add(
            commerce_wiring.Payments,
            await stack.enter_async_context(
                commerce_wiring.running(settings=settings, sessions=sessions, bus=bus)
            ),
        )
        bot = await stack.enter_async_context(
            bot_wiring.running(
                settings=settings,
                sessions=sessions,
                bus=bus,
                world_hub=world_hub,
                warming=warming,
                personas=BrandPersonas(),
            )
        )
        if bot is not None:
            add(bot_service.Runtime, bot)
        # Trainees' replies are read by the bot's model, even where the bot is off.
        reader = add(
            BotReader,
            BotReader(bot or bot_service.Runtime.from_settings(settings.data_dir)),
        )
        training = add(TrainingRooms, TrainingRooms(sessions, bus, world_hub, reader))
        await training.start()
        stack.push_async_callback(training.close)
        if settings.environment != "test":
            freezer = asyncio.create_task(freeze_after_warm_up(warming))
            stack.callback(freezer.cancel)
        services = add(
            Services,
            Services(
                settings=settings,
                bus=bus,
                rate_limits=rate_limits,
                warming=warming,
                engine=engine,
                sessions=sessions,
                broker=broker,
                mailer=mailer,
                world_hub=world_hub,
                scheduling_worker=worker,
                channels=running_channels,
                console_hub=console_hub,
                routing_jobs=routing_jobs,
                webhook_dispatcher=dispatcher,
                payments=payments,
                ledger_anchor=anchor_job,
                bot=bot,
                training=training,
            ),
        )
        log.info(
            "started",
            version=__version__,
            database=engine.dialect.name,
            broker=type(broker).__name__,
        )
        yield services


def services_of(app: HasComponents) -> Services:
    """The services of a started app (tests and tools that hold the app object)."""
    return app.components.get(Services)
