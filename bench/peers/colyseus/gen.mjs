// One load-generator process for the Colyseus peer (bench/world_vs_peer.py), speaking the
// same stdio protocol as bench/world_worker.py: config JSON as argv[2]; prints `ready` once
// every client has joined; reads `go <t0> <t1>` (epoch seconds: measure from t0 to t1);
// prints one result JSON line. Clients use the official SDK (@colyseus/sdk); observer
// clients decode every patch and take receipt time minus the sender's `ts` for each
// changed player, the others count their patches without decoding (as Vitrina's do).
import { Client, Callbacks } from "@colyseus/sdk";
import readline from "node:readline";

const cfg = JSON.parse(process.argv[2]);
const STATE_PATCH = 15;
const CODE_MASK = 0x1f;
const wallMs = () => performance.timeOrigin + performance.now();
const measure = { start: Infinity, end: Infinity };
const hist = new Map(); // 0.1 ms buckets, merged exactly across processes
const inWindow = (now) => now >= measure.start && now < measure.end;

class BenchClient {
  constructor(index, room) {
    this.index = index;
    this.roomNo = room;
    this.observer = Math.random() < cfg.observer_fraction;
    this.closed = false;
    this.closeCode = null;
    this.framesIn = 0;
    this.bytesIn = 0;
    this.framesOut = 0;
    this.bytesOut = 0;
    const half = cfg.area / 2 - 1;
    this.x = (Math.random() * 2 - 1) * half;
    this.z = (Math.random() * 2 - 1) * half;
    this.heading = Math.random() * 2 * Math.PI;
    this.lastStep = 0;
  }

  async join(client) {
    const room = await client.joinOrCreate("world", { room: this.roomNo });
    this.room = room;
    const conn = room.connection;
    const dispatch = conn.events.onmessage;
    conn.events.onmessage = (event) => {
      const buf = event.data;
      const now = wallMs();
      const code = new Uint8Array(buf, 0, 1)[0] & CODE_MASK;
      if (code === STATE_PATCH) {
        if (inWindow(now)) {
          this.framesIn += 1;
          this.bytesIn += buf.byteLength + (buf.byteLength < 126 ? 2 : 4);
        }
        if (!this.observer) return;
        this.now = now;
      }
      dispatch(event);
    };
    room.onLeave((code) => {
      this.closed = true;
      this.closeCode = code;
    });
    if (this.observer) {
      const $ = Callbacks.get(room);
      const me = room.sessionId;
      $.onAdd("players", (player, key) => {
        if (key === me) return;
        $.listen(player, "ts", (ts) => {
          if (ts && inWindow(this.now)) {
            const lat = (this.now - ts) % 4294967296;
            const b = Math.floor(lat * 10);
            hist.set(b, (hist.get(b) || 0) + 1);
          }
        });
      });
    }
  }

  step(now) {
    if (this.closed || !this.room) return;
    const dt = this.lastStep ? Math.min((now - this.lastStep) / 1000, 0.2) : 0.05;
    this.lastStep = now;
    if (Math.random() < 0.02) this.heading += (Math.random() * 2 - 1) * 1.5;
    const half = cfg.area / 2 - 0.5;
    let nx = this.x - Math.sin(this.heading) * 1.4 * dt;
    let nz = this.z - Math.cos(this.heading) * 1.4 * dt;
    if (!(nx >= -half && nx <= half && nz >= -half && nz <= half)) {
      this.heading += Math.PI;
      nx = this.x;
      nz = this.z;
    }
    this.x = nx;
    this.z = nz;
    const msg = { x: nx, y: 0, z: nz, r: this.heading, ts: Math.floor(now) >>> 0 };
    this.room.send("move", msg);
    if (inWindow(now)) {
      this.framesOut += 1;
      this.bytesOut += 44; // about the size of the equivalent Vitrina `move` frame
    }
  }
}

async function main() {
  const client = new Client(`ws://${cfg.host}:${cfg.port}`);
  const clients = [];
  let failed = 0;
  const queue = [...cfg.clients];
  async function opener() {
    while (queue.length) {
      const [i, r] = queue.shift();
      const c = new BenchClient(i, r);
      try {
        await c.join(client);
        clients.push(c);
      } catch (e) {
        failed += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: 25 }, opener));
  process.stdout.write("ready\n");
  const rl = readline.createInterface({ input: process.stdin });
  const line = await new Promise((resolve) => rl.once("line", resolve));
  const [, t0, t1] = line.trim().split(/\s+/);
  measure.start = Number(t0) * 1000;
  measure.end = Number(t1) * 1000;

  const period = 1000 / cfg.hz;
  const slices = Math.max(1, Math.floor(period / 5));
  const groups = Array.from({ length: slices }, () => []);
  for (const c of clients) groups[Math.floor(Math.random() * slices)].push(c);
  let cpuStart = null;
  let cpuEnd = null;
  let nextT = wallMs();
  let k = 0;
  for (;;) {
    const now = wallMs();
    if (cpuStart === null && now >= measure.start) cpuStart = process.cpuUsage();
    if (now >= measure.end) {
      cpuEnd = process.cpuUsage(cpuStart ?? undefined);
      break;
    }
    for (const c of groups[k % slices]) c.step(now);
    k += 1;
    nextT += period / slices;
    if (nextT < now - period) nextT = now;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextT - wallMs())));
  }
  const window = (measure.end - measure.start) / 1000;
  const sum = (f) => clients.reduce((a, c) => a + f(c), 0);
  const result = {
    connected: clients.length,
    failed,
    disconnected: clients.filter((c) => c.closed).length,
    close_codes: [...new Set(clients.filter((c) => c.closeCode !== null).map((c) => c.closeCode))].sort(),
    frames_out: sum((c) => c.framesOut),
    bytes_out: sum((c) => c.bytesOut),
    frames_in: sum((c) => c.framesIn),
    bytes_in: sum((c) => c.bytesIn),
    errors: 0,
    attacker_closes: 0,
    attacker_joins: 0,
    cpu_cores: cpuEnd ? (cpuEnd.user + cpuEnd.system) / 1e6 / window : 0,
    latency_hist: Object.fromEntries(hist),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  for (const c of clients) {
    try {
      c.room.leave();
    } catch {}
  }
  setTimeout(() => process.exit(0), 200);
}

main().catch((e) => {
  process.stdout.write(`error ${e}\n`);
  process.exit(1);
});
