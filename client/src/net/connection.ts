/**
 * The world connection as an explicit state machine:
 *
 *   idle -> connecting -> online -> reconnecting -> connecting -> ...
 *                                 \-> offline (after repeated failures; still retrying)
 *   any -> replaced (the same avatar was resumed in another tab; no automatic retry)
 *
 * On every (re)connection the client resumes its avatar with the token from the last
 * welcome, and joins afresh when the server no longer knows the token.
 */

import { CloseCode, ErrorCode, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, type ServerFrame } from "./protocol.gen";
import { decodeFrame, encodeFrame, type OutFrame, type SkipLog } from "./codec";

export type ConnState = "idle" | "connecting" | "online" | "reconnecting" | "offline" | "replaced";

const TRANSITIONS: Readonly<Record<ConnState, readonly ConnState[]>> = {
  idle: ["connecting"],
  connecting: ["online", "reconnecting", "offline", "replaced", "idle"],
  online: ["reconnecting", "replaced", "idle"],
  reconnecting: ["connecting", "offline", "idle"],
  offline: ["connecting", "idle"],
  replaced: ["connecting", "idle"],
};

export function canTransition(from: ConnState, to: ConnState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 15 s. */
export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(15_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling * (0.5 + random / 2));
}

/** Failed attempts after which the client shows itself offline (it keeps retrying). */
export const OFFLINE_AFTER = 5;
const PING_EVERY_MS = 10_000;
const SILENCE_LIMIT_MS = 30_000;

export interface SocketLike {
  binaryType: BinaryType;
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(handle: number): void;
  random(): number;
}

export interface ConnectionOptions {
  url: string;
  json: boolean;
  joinFrame: () => OutFrame;
  onFrame: (frame: ServerFrame) => void;
  onState: (state: ConnState, previous: ConnState) => void;
  /** Re-creates the guest session after the server closed with "unauthenticated". */
  reauthenticate: () => Promise<void>;
  openSocket?: (url: string, protocols: string[]) => SocketLike;
  clock?: Clock;
  skip?: SkipLog;
}

const browserClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle),
  random: () => Math.random(),
};

const OPEN = 1;

export class WorldConnection {
  state: ConnState = "idle";
  attempts = 0;
  resumeToken: string | null = null;
  lastCloseCode: number | null = null;
  framesSkipped = 0;
  private socket: SocketLike | null = null;
  private retryTimer: number | null = null;
  private pingTimer: number | null = null;
  private lastHeard = 0;
  private readonly clock: Clock;
  private readonly openSocket: (url: string, protocols: string[]) => SocketLike;

  constructor(private readonly options: ConnectionOptions) {
    this.clock = options.clock ?? browserClock;
    this.openSocket = options.openSocket ?? ((url, protocols) => new WebSocket(url, protocols));
  }

  private transition(next: ConnState): void {
    if (next === this.state) return;
    if (!canTransition(this.state, next)) throw new Error(`connection: ${this.state} -> ${next} is not allowed`);
    const previous = this.state;
    this.state = next;
    this.options.onState(next, previous);
  }

  start(): void {
    if (this.state === "idle" || this.state === "replaced" || this.state === "offline") this.connect();
  }

  /** Try again at once (the browser came back online, or the user asked). */
  retryNow(): void {
    if (this.state === "reconnecting" || this.state === "offline" || this.state === "replaced") {
      this.clearRetry();
      this.connect();
    }
  }

  stop(): void {
    this.clearRetry();
    this.clearPing();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(CloseCode.NORMAL, "bye");
    }
    if (this.state !== "idle") this.transition("idle");
  }

  send(frame: OutFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.state !== "online") return false;
    socket.send(encodeFrame(frame, this.options.json));
    return true;
  }

  private connect(): void {
    this.transition("connecting");
    const protocols = this.options.json ? [SUBPROTOCOL_JSON] : [SUBPROTOCOL_MSGPACK];
    let socket: SocketLike;
    try {
      socket = this.openSocket(this.options.url, protocols);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      this.lastHeard = this.clock.now();
      const hello: OutFrame = this.resumeToken ? { t: "resume", token: this.resumeToken } : this.options.joinFrame();
      socket.send(encodeFrame(hello, this.options.json));
      this.schedulePing();
    };
    socket.onmessage = (event) => this.receive(event.data as ArrayBuffer | string);
    socket.onerror = () => undefined; // a close event always follows and carries the code
    socket.onclose = (event) => this.closed(socket, event.code);
  }

  private receive(data: ArrayBuffer | string): void {
    this.lastHeard = this.clock.now();
    const frame = decodeFrame(data, (reason, detail) => {
      this.framesSkipped += 1;
      (this.options.skip ?? ((r, d) => console.warn(`world frame skipped: ${r}`, d)))(reason, detail);
    });
    if (!frame) return;
    if (frame.t === "welcome") {
      this.resumeToken = frame.token;
      this.attempts = 0;
      this.transition("online");
    } else if (frame.t === "error" && frame.code === ErrorCode.RESUME_FAILED && this.state === "connecting") {
      this.resumeToken = null;
      this.socket?.send(encodeFrame(this.options.joinFrame(), this.options.json));
    }
    this.options.onFrame(frame);
  }

  private closed(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearPing();
    this.lastCloseCode = code;
    if (code === CloseCode.REPLACED) {
      this.transition("replaced");
      return;
    }
    if (code === CloseCode.UNAUTHENTICATED) {
      this.resumeToken = null;
      this.options.reauthenticate().then(
        () => this.scheduleRetry(),
        () => this.scheduleRetry(),
      );
      if (this.state !== "reconnecting" && this.state !== "offline") this.transition("reconnecting");
      return;
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.clearRetry();
    const delay = backoffDelay(this.attempts, this.clock.random());
    this.attempts += 1;
    const target: ConnState = this.attempts > OFFLINE_AFTER ? "offline" : "reconnecting";
    if (this.state !== target) {
      if (this.state === "offline" && target === "reconnecting") {
        // stays offline until a connection succeeds
      } else {
        this.transition(target);
      }
    }
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.state === "reconnecting" || this.state === "offline") this.connect();
    }, delay);
  }

  private schedulePing(): void {
    this.clearPing();
    const due = this.clock.now() + PING_EVERY_MS;
    this.pingTimer = this.clock.setTimeout(() => {
      this.pingTimer = null;
      const socket = this.socket;
      if (!socket) return;
      const now = this.clock.now();
      // A check that comes this late means the page itself was held up (a long task on a
      // busy machine, a throttled background tab), and what the server said meanwhile may
      // not be read yet: the silence is judged at the next check. Closing here left a page
      // reconnecting, with no socket to say `leave` on, when its tab closed.
      const heldUp = now - due > PING_EVERY_MS;
      if (!heldUp && now - this.lastHeard > SILENCE_LIMIT_MS) {
        socket.close(CloseCode.SILENT_SERVER, "silent server"); // the close event reconnects
        return;
      }
      if (socket.readyState === OPEN) socket.send(encodeFrame({ t: "ping", ts: Math.round(this.clock.now()) }, this.options.json));
      this.schedulePing();
    }, PING_EVERY_MS);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearPing(): void {
    if (this.pingTimer !== null) this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }
}

export function worldUrl(location: Location, json: boolean): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/world${json ? "?format=json" : ""}`;
}
