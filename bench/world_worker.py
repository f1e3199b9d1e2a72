"""One load-generator process of the world benchmark (bench/world.py).

It opens its share of the clients with a deliberately thin WebSocket client (raw
asyncio protocol, zero mask key, no per-frame task), so that the generator spends
its CPU on the protocol rather than on a client library. Protocol on stdio:
config JSON as argv[1]; prints `ready` once every client has its welcome; reads
`go <t0> <t1>` (epoch seconds: measure from t0 to t1); prints one result JSON line.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import os
import random
import sys
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

import msgspec

_OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING = 0x1, 0x2, 0x8, 0x9
_MASK = b"\x00\x00\x00\x00"  # XOR with zero: valid masking that costs nothing


class _Frame(msgspec.Struct):
    t: str
    id: int = 0
    u: list[list[Any]] = []


_decode = msgspec.msgpack.Decoder(_Frame).decode
_encode = msgspec.msgpack.encode


def _ws_frame(payload: bytes, opcode: int = _OP_BINARY) -> bytes:
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + _MASK + payload


@dataclass
class Measure:
    start: float = math.inf
    end: float = math.inf


class BenchClient(asyncio.Protocol):
    def __init__(self, index: int, cfg: dict[str, Any], measure: Measure, lat: array[float]):
        self.index = index
        self.cfg = cfg
        self.measure = measure
        self.lat = lat
        self.observer = random.random() < cfg["observer_fraction"]
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.handshaken = False
        self.welcomed = asyncio.get_running_loop().create_future()
        self.closed = False
        self.close_code: int | None = None
        self.id = -1
        self.frames_in = 0
        self.bytes_in = 0
        self.frames_out = 0
        self.bytes_out = 0
        self.errors = 0
        area = cfg["area"] / 2 - 1.0
        # Start at the spawn point, run to a random spot during the warm-up, then stroll.
        self.x = self.z = 0.0
        self.target: tuple[float, float] | None = (
            random.uniform(-area, area),
            random.uniform(-area, area),
        )
        self.heading = random.uniform(0, 2 * math.pi)
        self.last_step = 0.0

    # ---------------------------------------------------------------- wire

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass
        key = base64.b64encode(os.urandom(16)).decode()
        transport = self.transport
        path = f"{self.cfg['path']}?sid=bench-{self.cfg['worker']}-{self.index}&name=b{self.index}"
        transport.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {self.cfg['host']}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.welcomed.done():
            self.welcomed.set_exception(ConnectionError(f"closed before welcome ({exc})"))

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.handshaken:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.transport.close()  # type: ignore[union-attr]
                return
            del buf[: end + 4]
            self.handshaken = True
            self._send({"t": "join", "v": 1, "brand": self.cfg["brand"], "zone": self.cfg["zone"]})
        now = time.time()
        pos = 0
        n = len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if n - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if n - pos < head + length:
                break
            payload = bytes(buf[pos + head : pos + head + length])
            pos += head + length
            self._frame(b0 & 0x0F, payload, head + length, now)
        if pos:
            del buf[:pos]

    def _frame(self, opcode: int, payload: bytes, size: int, now: float) -> None:
        m = self.measure
        if opcode == _OP_BINARY:
            if m.start <= now < m.end:
                self.frames_in += 1
                self.bytes_in += size
            # The server writes the tag first: {"t": "snap", ...} starts 8x a1 74 a4 "snap".
            # Clients that do not sample latency skip decoding their snapshots.
            if not self.observer and payload[4:8] == b"snap":
                return
            frame = _decode(payload)
            t = frame.t
            if t == "snap":
                if self.observer and m.start <= now < m.end:
                    now_ms = now * 1000.0
                    me = self.id
                    self.lat.extend(
                        (now_ms - e[5]) % 4294967296.0
                        for e in frame.u
                        if e[0] != me and e[5] is not None
                    )
            elif t == "welcome":
                self.id = frame.id
                mine = next((e for e in frame.u if e[0] == frame.id), None)
                if mine is not None:
                    self.x, self.z = mine[1] / 100.0, mine[3] / 100.0
                if not self.welcomed.done():
                    self.welcomed.set_result(None)
            elif t == "error":
                self.errors += 1
        elif opcode == _OP_CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            if not self.welcomed.done():
                self.welcomed.set_exception(ConnectionError(f"closed {self.close_code}"))
            self.transport.write(_ws_frame(payload[:2], _OP_CLOSE))  # type: ignore[union-attr]
            self.transport.close()  # type: ignore[union-attr]
        elif opcode == _OP_PING:
            self.transport.write(_ws_frame(payload, 0xA))  # type: ignore[union-attr]

    def _send(self, msg: dict[str, Any]) -> None:
        data = _ws_frame(_encode(msg))
        self.transport.write(data)  # type: ignore[union-attr]

    # ---------------------------------------------------------------- behaviour

    def step(self, now: float) -> None:
        """Walk at 1.4 m/s, turning now and then, and send the transform."""
        if self.closed or self.id < 0:
            return
        dt = min(now - self.last_step, 0.2) if self.last_step else 0.05
        self.last_step = now
        if self.target is not None:
            tx, tz = self.target
            dx, dz = tx - self.x, tz - self.z
            dist = math.hypot(dx, dz)
            step = 6.0 * dt  # under the server's 8 m/s limit
            if dist <= step or now >= self.measure.start:
                self.target = None
            else:
                self.heading = math.atan2(-dx, -dz)
                self._move(self.x + dx / dist * step, self.z + dz / dist * step, now)
                return
        if random.random() < 0.02:
            self.heading += random.uniform(-1.5, 1.5)
        half = self.cfg["area"] / 2 - 0.5
        speed = 1.4
        nx = self.x - math.sin(self.heading) * speed * dt
        nz = self.z - math.cos(self.heading) * speed * dt
        if not (-half <= nx <= half and -half <= nz <= half):
            self.heading += math.pi
            nx, nz = self.x, self.z
        self._move(nx, nz, now)

    def _move(self, nx: float, nz: float, now: float) -> None:
        self.x, self.z = nx, nz
        ts = int(now * 1000.0) & 0xFFFFFFFF
        data = _ws_frame(
            _encode({"t": "move", "v": 1, "p": (nx, 0.0, nz), "r": self.heading, "ts": ts})
        )
        self.transport.write(data)  # type: ignore[union-attr]
        m = self.measure
        if m.start <= now < m.end:
            self.frames_out += 1
            self.bytes_out += len(data)


class Attacker:
    """A hostile client: garbage, NaN moves, oversized frames and floods, reconnecting
    whenever the server closes it. Only the other clients' figures are reported."""

    def __init__(self, index: int, cfg: dict[str, Any], measure: Measure) -> None:
        self.index, self.cfg, self.measure = index, cfg, measure
        self.client: BenchClient | None = None
        self.closes = 0
        self.joins = 0
        self.connecting = False

    async def _reconnect(self) -> None:
        self.connecting = True
        try:
            await asyncio.sleep(0.2)
            self.client = await _connect(self.index, self.cfg, self.measure, array("d"))
            self.joins += 1
        except Exception:
            self.client = None
        finally:
            self.connecting = False

    def step(self, now: float, tasks: set[asyncio.Task[None]]) -> None:
        c = self.client
        if c is None or c.closed:
            if c is not None:
                self.closes += 1
                self.client = None
            if not self.connecting:
                task = asyncio.get_running_loop().create_task(self._reconnect())
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            return
        if c.transport is None or c.id < 0:
            return
        roll = random.random()
        if roll < 0.4:
            payload = os.urandom(random.randint(1, 64))
        elif roll < 0.7:
            payload = _encode({"t": "move", "v": 1, "p": (math.nan, math.inf, 0.0)})
        elif roll < 0.9:
            payload = _encode({"t": random.choice(["nope", "join", "chat"]), "v": 1, "x": [1]})
        elif roll < 0.97:
            payload = b"\x00" * (self.cfg.get("max_frame", 16384) + 1024)
        else:
            for _ in range(150):  # a flood burst
                c.transport.write(_ws_frame(b"\x81"))
            return
        c.transport.write(_ws_frame(payload))


async def _connect(index: int, cfg: dict[str, Any], measure: Measure, lat: array[float]) -> Any:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: BenchClient(index, cfg, measure, lat), cfg["host"], cfg["port"]
    )
    await asyncio.wait_for(client.welcomed, timeout=30)
    return client


async def run_worker(cfg: dict[str, Any]) -> dict[str, Any]:
    measure = Measure()
    lat: array[float] = array("d")
    clients: list[BenchClient] = []
    failed = 0
    sem = asyncio.Semaphore(50)

    async def one(i: int, room: int) -> None:
        nonlocal failed
        async with sem:
            try:
                clients.append(await _connect(i, {**cfg, "brand": f"bench-{room}"}, measure, lat))
            except Exception:
                failed += 1

    await asyncio.gather(*(one(i, r) for i, r in cfg["clients"]))
    attackers = [
        Attacker(100000 + i, {**cfg, "brand": f"bench-{r}"}, measure)
        for i, r in cfg.get("attackers", [])
    ]
    attack_tasks: set[asyncio.Task[None]] = set()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    _, t0, t1 = line.split()
    measure.start, measure.end = float(t0), float(t1)

    hz = cfg["hz"]
    period = 1.0 / hz
    slices = max(1, int(period / 0.005))
    # Each client sends at its own random phase within the period, like real clients
    # (a phase tied to the client's index would line up with the server's room phases).
    groups: list[list[BenchClient]] = [[] for _ in range(slices)]
    for c in clients:
        groups[random.randrange(slices)].append(c)
    cpu_start = cpu_end = None
    next_t = time.time()
    k = 0
    while True:
        now = time.time()
        if cpu_start is None and now >= measure.start:
            cpu_start = time.process_time()
        if now >= measure.end:
            cpu_end = time.process_time()
            break
        for c in groups[k % slices]:
            c.step(now)
        if attackers and k % slices == 0:
            for a in attackers:
                a.step(now, attack_tasks)
        k += 1
        next_t += period / slices
        if next_t < now - period:  # fell behind: resynchronise instead of bursting
            next_t = now
        await asyncio.sleep(max(0.0, next_t - time.time()))
    window = measure.end - measure.start
    disconnected = sum(1 for c in clients if c.closed)
    result = {
        "connected": len(clients),
        "failed": failed,
        "disconnected": disconnected,
        "close_codes": sorted({c.close_code for c in clients if c.close_code is not None}),
        "frames_out": sum(c.frames_out for c in clients),
        "bytes_out": sum(c.bytes_out for c in clients),
        "frames_in": sum(c.frames_in for c in clients),
        "bytes_in": sum(c.bytes_in for c in clients),
        "errors": sum(c.errors for c in clients),
        "attacker_closes": sum(a.closes for a in attackers),
        "attacker_joins": sum(a.joins for a in attackers),
        "cpu_cores": ((cpu_end or 0.0) - (cpu_start or 0.0)) / window if window > 0 else 0.0,
        # Histogram in 0.1 ms buckets, so workers' results merge exactly.
        "latency_hist": dict(Counter(int(x * 10.0) for x in lat)),
    }
    for c in clients:
        if c.transport is not None and not c.closed:
            with contextlib.suppress(Exception):
                c.transport.write(_ws_frame(b"\x03\xe8", _OP_CLOSE))
                c.transport.close()
    return result


def main() -> None:
    cfg = json.loads(sys.argv[1])
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run_worker(cfg))
    else:
        result = uvloop.run(run_worker(cfg))
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
