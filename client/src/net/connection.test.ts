import { decode, encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { OFFLINE_AFTER, WorldConnection, backoffDelay, canTransition, type Clock, type ConnState, type SocketLike } from "./connection";
import { CloseCode } from "./protocol.gen";

class FakeSocket implements SocketLike {
  binaryType: BinaryType = "blob";
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly protocols: string[]) {}
  send(data: string | Uint8Array): void {
    this.sent.push((typeof data === "string" ? JSON.parse(data) : decode(data)) as Record<string, unknown>);
  }
  close(code = 1000): void {
    // As browsers do (WHATWG WebSocket close()): scripts may only use 1000 and 3000-4999.
    if (code !== 1000 && (code < 3000 || code > 4999)) throw new DOMException(`close code ${code}`, "InvalidAccessError");
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  receive(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: encode(frame).slice().buffer } as MessageEvent);
  }
  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

class FakeClock implements Clock {
  t = 0;
  timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = () => this.t;
  random = () => 0.5;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: number) => void this.timers.delete(id);
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = end;
  }
  /** The page is held up for `ms`: time passes, and the timers that fell due fire late. */
  stall(ms: number): void {
    this.t += ms;
    this.advance(0);
  }
}

const welcome = (token: string) => ({
  t: "welcome", v: 1, id: 1, room: "b/z#1", brand: "b", zone: "z", shard: 1, token, tick_hz: 20,
  bounds: [0, 0, 0, 10, 4, 10], radius: 10, spawn: [1, 0, 1], max_speed: 5, who: [], u: [],
});

function setup() {
  const sockets: FakeSocket[] = [];
  const states: ConnState[] = [];
  const frames: string[] = [];
  const skipped: string[] = [];
  let reauth = 0;
  const clock = new FakeClock();
  const connection = new WorldConnection({
    url: "ws://test/ws/world",
    json: false,
    joinFrame: () => ({ t: "join", brand: "b", zone: "z" }),
    onFrame: (f) => frames.push(f.t),
    onState: (s) => states.push(s),
    reauthenticate: async () => void (reauth += 1),
    openSocket: (_url, protocols) => {
      const s = new FakeSocket(protocols);
      sockets.push(s);
      return s;
    },
    clock,
    skip: (reason) => skipped.push(reason),
  });
  return { connection, sockets, states, frames, skipped, clock, reauths: () => reauth };
}

describe("the world connection", () => {
  it("joins on open and is online once welcomed", () => {
    const { connection, sockets, states } = setup();
    connection.start();
    expect(sockets[0].protocols).toEqual(["vitrina.world.v1"]);
    expect(connection.send({ t: "chat", text: "too early" })).toBe(false);
    sockets[0].open();
    expect(sockets[0].sent).toEqual([{ t: "join", v: 1, brand: "b", zone: "z" }]);
    sockets[0].receive(welcome("tok-1"));
    expect(states).toEqual(["connecting", "online"]);
    expect(connection.send({ t: "chat", text: "hi" })).toBe(true);
    expect(sockets[0].sent[1]).toEqual({ t: "chat", v: 1, text: "hi" });
  });

  it("reconnects with backoff and resumes with the last token", () => {
    const { connection, sockets, states, clock } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].receive(welcome("tok-1"));
    sockets[0].drop(1006);
    expect(connection.state).toBe("reconnecting");
    clock.advance(backoffDelay(0, 0.5) - 1);
    expect(sockets).toHaveLength(1);
    clock.advance(1);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(sockets[1].sent[0]).toEqual({ t: "resume", v: 1, token: "tok-1" });
    sockets[1].receive({ ...welcome("tok-2"), resumed: true });
    expect(states).toEqual(["connecting", "online", "reconnecting", "connecting", "online"]);
    expect(connection.attempts).toBe(0);
  });

  it("joins afresh when the server forgot the resume token", () => {
    const { connection, sockets, clock } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].receive(welcome("tok-1"));
    sockets[0].drop(1001);
    clock.advance(60_000);
    sockets[1].open();
    sockets[1].receive({ t: "error", v: 1, code: "resume_failed", msg: "gone", ref: "resume" });
    expect(sockets[1].sent.map((f) => f.t)).toEqual(["resume", "join"]);
  });

  it("shows itself offline after repeated failures but keeps trying", () => {
    const { connection, sockets, clock } = setup();
    connection.start();
    for (let i = 0; i <= OFFLINE_AFTER; i += 1) {
      sockets[sockets.length - 1].drop(1006);
      clock.advance(60_000);
    }
    expect(connection.state === "offline" || connection.state === "connecting").toBe(true);
    const before = sockets.length;
    sockets[sockets.length - 1].drop(1006);
    expect(connection.state).toBe("offline");
    clock.advance(60_000);
    expect(sockets.length).toBe(before + 1);
    sockets[sockets.length - 1].open();
    sockets[sockets.length - 1].receive(welcome("t"));
    expect(connection.state).toBe("online");
  });

  it("stops when the avatar was taken over by another tab", () => {
    const { connection, sockets, clock } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].receive(welcome("tok"));
    sockets[0].drop(CloseCode.REPLACED);
    clock.advance(120_000);
    expect(connection.state).toBe("replaced");
    expect(sockets).toHaveLength(1);
  });

  it("signs in again after an unauthenticated close", async () => {
    const { connection, sockets, clock, reauths } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].drop(CloseCode.UNAUTHENTICATED);
    await Promise.resolve();
    await Promise.resolve();
    expect(reauths()).toBe(1);
    clock.advance(60_000);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(sockets[1].sent[0].t).toBe("join");
  });

  it("logs and skips frames it does not understand, and stays connected", () => {
    const { connection, sockets, frames, skipped } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].receive(welcome("tok"));
    sockets[0].receive({ t: "hologram", v: 1 });
    sockets[0].onmessage?.({ data: new Uint8Array([0xc1]).buffer } as MessageEvent);
    sockets[0].receive({ t: "chat", v: 1, id: 2, name: "x", text: "still here", ts: 0 });
    expect(frames).toEqual(["welcome", "chat"]);
    expect(skipped).toEqual(["unknown type hologram", "undecodable"]);
    expect(connection.framesSkipped).toBe(2);
    expect(connection.state).toBe("online");
  });

  it("pings a quiet server and drops a silent one", () => {
    const { connection, sockets, clock } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].receive(welcome("tok"));
    clock.advance(10_000);
    expect(sockets[0].sent.at(-1)?.t).toBe("ping");
    clock.advance(35_000);
    expect(connection.state === "reconnecting" || connection.state === "connecting").toBe(true);
    expect(sockets[0].readyState).toBe(3); // closed with a code a script may use
  });

  it("does not blame the server for the time the page itself was held up", () => {
    const { connection, sockets, clock } = setup();
    connection.start();
    sockets[0].open();
    sockets[0].receive(welcome("tok"));
    clock.stall(40_000); // a long task: the check comes 30 s late, the pongs are unread
    expect(connection.state).toBe("online");
    expect(sockets[0].readyState).toBe(1);
    expect(sockets[0].sent.at(-1)?.t).toBe("ping");
    sockets[0].receive({ t: "pong", v: 1, ts: 0, now: 0 });
    clock.advance(10_000);
    expect(connection.state).toBe("online");
    // Nothing answers the checks made on time: that server is silent.
    clock.advance(30_000);
    expect(sockets[0].readyState).toBe(3);
    expect(connection.lastCloseCode).toBe(CloseCode.SILENT_SERVER);
  });
});

describe("connection states", () => {
  it("refuse transitions the machine does not define", () => {
    expect(canTransition("idle", "online")).toBe(false);
    expect(canTransition("online", "connecting")).toBe(false);
    expect(canTransition("reconnecting", "connecting")).toBe(true);
  });

  it("back off exponentially with jitter up to a ceiling", () => {
    expect(backoffDelay(0, 1)).toBe(500);
    expect(backoffDelay(3, 1)).toBe(4000);
    expect(backoffDelay(30, 1)).toBe(15_000);
    expect(backoffDelay(30, 0)).toBe(7500);
  });
});
