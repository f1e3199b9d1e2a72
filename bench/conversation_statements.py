"""SQL statements per step of a conversation's life (`python -m bench.conversation_statements`).

Counts what each step sends to the database with SQLAlchemy's cursor hook, on a fresh
SQLite file: a customer's message while an advisor has the conversation (the message
path the delivery benchmark loads), and each state change. `-v` prints the statements.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event

# Two advisors are enough here; bench.routing reads the count when imported, below.
os.environ.setdefault("VITRINA_BENCH_ADVISORS", "2")

from bench.routing import BRAND, seed_advisors
from vitrina.conversations import service as conversations
from vitrina.conversations.states import Actor, Channel
from vitrina.core.config import Settings
from vitrina.core.db import create_engine, create_sessionmaker, transaction
from vitrina.core.events import EventBus
from vitrina.migrations import runner
from vitrina.privacy import keys


async def count(url: str, data_dir: Path, *, verbose: bool) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(
        engine, sealer=keys.sealer(Settings(database_url=url, data_dir=data_dir))
    )
    bus = EventBus()
    advisor = (await seed_advisors(sessions, bus, online=True))[0][0]
    seen: list[str] = []

    def hook(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(engine.sync_engine, "before_cursor_execute", hook)

    def step(name: str) -> None:
        kinds = [s.split()[0] for s in seen]
        summary = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
        print(f"{name:<52} {len(seen):>2} statements ({summary})")
        if verbose:
            for statement in seen:
                print(f"    {statement[:150]}")
        seen.clear()

    customer = Actor(kind="customer", name="Mia", id="g1")
    async with transaction(sessions) as db:
        started = await conversations.create(
            db,
            bus=bus,
            brand_slug=BRAND,
            channel=Channel.WIDGET,
            customer_name="Mia",
            locale="en",
            guest_session_id="g1",
        )
    step("start (-> bot)")
    async with transaction(sessions) as db:
        await conversations.request_handoff(
            db, bus=bus, conversation_id=started.id, actor=customer, reason="asked"
        )
    step("handoff (bot -> queued)")
    async with transaction(sessions) as db:
        await conversations.claim(db, bus=bus, conversation_id=started.id, actor=Actor.of(advisor))
    step("accept (queued -> assigned)")

    async def customer_says(text: str) -> None:
        async with transaction(sessions) as db:
            found = await conversations.find_open(db, brand_slug=BRAND, guest_session_id="g1")
            assert found is not None
            await conversations.post_customer_message(
                db, bus=bus, conversation=found, body=text, channel=Channel.WIDGET
            )

    await customer_says("hello")
    step("customer message, assigned (widget path)")
    async with transaction(sessions) as db:
        found = await conversations.get_or_raise(db, conversation_id=started.id)
        await conversations.post_agent_message(
            db, bus=bus, conversation=found, principal=advisor, body="hi"
        )
    step("advisor reply (assigned -> waiting_on_customer)")
    await customer_says("thanks")
    step("customer message (waiting_on_customer -> assigned)")
    async with transaction(sessions) as db:
        found = await conversations.get_or_raise(db, conversation_id=started.id)
        await conversations.resolve(
            db, bus=bus, conversation=found, actor=Actor.of(advisor), disposition="solved"
        )
    step("resolve (assigned -> resolved)")
    await engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/statements.db"
        runner.upgrade(url)
        asyncio.run(count(url, Path(tmp), verbose="-v" in sys.argv[1:]))


if __name__ == "__main__":
    main()
