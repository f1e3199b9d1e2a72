/**
 * Frames on the wire: MessagePack (or JSON in debug mode) maps with a type `t` and the
 * protocol version `v`. Server frames are checked against the generated required-field
 * table; anything the client does not understand is logged and skipped, never thrown.
 */

import { decode, encode } from "@msgpack/msgpack";
import {
  PROTOCOL_VERSION,
  SERVER_REQUIRED,
  type ClientFrame,
  type ServerFrame,
} from "./protocol.gen";

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A client frame without its version, which `encodeFrame` adds. */
export type OutFrame = DistributiveOmit<ClientFrame, "v">;

export function encodeFrame(frame: OutFrame, json: boolean): Uint8Array | string {
  const full = { ...frame, v: PROTOCOL_VERSION };
  return json ? JSON.stringify(full) : encode(full);
}

export interface SkipLog {
  (reason: string, detail?: unknown): void;
}

const consoleSkip: SkipLog = (reason, detail) => console.warn(`world frame skipped: ${reason}`, detail);

export function decodeFrame(data: ArrayBuffer | Uint8Array | string, skip: SkipLog = consoleSkip): ServerFrame | null {
  let raw: unknown;
  try {
    raw = typeof data === "string" ? JSON.parse(data) : decode(data instanceof Uint8Array ? data : new Uint8Array(data));
  } catch (error) {
    skip("undecodable", error);
    return null;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    skip("not a map", raw);
    return null;
  }
  const frame = raw as Record<string, unknown>;
  if (frame.v !== PROTOCOL_VERSION) {
    skip(`version ${String(frame.v)}`, frame);
    return null;
  }
  const type = frame.t;
  if (typeof type !== "string" || !Object.hasOwn(SERVER_REQUIRED, type)) {
    skip(`unknown type ${String(type)}`, frame);
    return null;
  }
  for (const field of SERVER_REQUIRED[type as ServerFrame["t"]]) {
    if (!(field in frame)) {
      skip(`${type} without ${field}`, frame);
      return null;
    }
  }
  return frame as unknown as ServerFrame;
}

/** One avatar state entry of a snapshot: [id, x_cm, y_cm, z_cm, yaw_u16, ts, ...vr]. */
export interface EntryView {
  id: number;
  x: number;
  y: number;
  z: number;
  yaw: number;
}

const YAW_UNITS = 65536 / (2 * Math.PI);

/** Reads an entry into `out` (reused, nothing allocated); false when it is malformed. */
export function readEntry(entry: unknown, out: EntryView): boolean {
  if (!Array.isArray(entry) || entry.length < 5) return false;
  const [id, x, y, z, yaw] = entry as unknown[];
  if (
    typeof id !== "number" ||
    typeof x !== "number" ||
    typeof y !== "number" ||
    typeof z !== "number" ||
    typeof yaw !== "number" ||
    !Number.isFinite(x + y + z + yaw)
  ) {
    return false;
  }
  out.id = id;
  out.x = x / 100;
  out.y = y / 100;
  out.z = z / 100;
  out.yaw = yaw / YAW_UNITS;
  return true;
}
