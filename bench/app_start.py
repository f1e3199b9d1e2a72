"""What every test fixture pays: build the app, run its start-up and shutdown, on a fresh
copy of a migrated SQLite database.

    python -m bench.app_start [cycles]

Prints the median wall and CPU time of one cycle (after one warm-up cycle).
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from vitrina.app import create_app
from vitrina.core.config import Settings
from vitrina.migrations import runner


async def cycle(template: Path, work: Path, i: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    path = work / f"db{i}.db"
    source, target = sqlite3.connect(template), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    data = work / f"data{i}"
    data.mkdir()
    settings = Settings(
        environment="test",
        data_dir=data,
        database_url=f"sqlite+aiosqlite:///{path}",
        redis_url=None,
        secret_key=secrets.token_hex(32),
        log_json=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass
    return time.perf_counter() - wall, time.process_time() - cpu


async def measure(template: Path, work: Path, cycles: int) -> None:
    await cycle(template, work, -1)
    results = [await cycle(template, work, i) for i in range(cycles)]
    walls, cpus = zip(*results, strict=True)
    print(
        f"app build + start-up + shutdown, {cycles} cycles: "
        f"wall median {statistics.median(walls) * 1000:.0f} ms, "
        f"CPU median {statistics.median(cpus) * 1000:.0f} ms"
    )


def main(cycles: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="vitrina-bench-start-"))
    template = work / "template.db"
    runner.upgrade(f"sqlite+aiosqlite:///{template}")  # runs its own event loop
    asyncio.run(measure(template, work, cycles))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
