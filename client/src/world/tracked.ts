/**
 * VR head and hand poses ("tracked parts"). The local headset's poses are read in the
 * rig's space, turned into world poses around the position being sent, and go out only
 * while in immersive VR and only when they changed; remote avatars' poses arrive in
 * snapshot entries and are interpolated like their positions, in a fixed typed-array
 * ring (nothing allocated per frame or per snapshot).
 *
 * A pose is 7 numbers: x, y, z (m) and a rotation quaternion qx, qy, qz, qw. Three parts
 * (head, left hand, right hand) sit side by side in one Float32Array of 21; a bit mask
 * says which of them are present (a controller may be missing).
 */

import { POSE_REACH_M } from "../net/protocol.gen";

export const POSE = 7;
export const PARTS = 3;
export const HEAD = 0;
export const LEFT = 1;
export const RIGHT = 2;
export const ALL_PARTS = 0b111;

/** Where the local headset's poses come from: a WebXR session, or a test's fixed poses. */
export interface PoseSource {
  /** Writes the parts present, in the rig's space, into `out`; returns their mask (0 outside VR). */
  read(out: Float32Array): number;
}

export function createPoses(): Float32Array {
  return new Float32Array(PARTS * POSE);
}

// ------------------------------------------------------------------ sending

/** Changes smaller than these are not worth a frame: 1 cm, and about 1 degree. */
const MOVE_EPS = 0.01;
const TURN_EPS = 4e-5; // 1 - |q1 . q2| ~ angle^2 / 8, so ~1 degree

export function posesChanged(a: Float32Array, maskA: number, b: Float32Array, maskB: number): boolean {
  if (maskA !== maskB) return true;
  for (let part = 0; part < PARTS; part += 1) {
    if (!(maskA & (1 << part))) continue;
    const o = part * POSE;
    const dx = a[o] - b[o];
    const dy = a[o + 1] - b[o + 1];
    const dz = a[o + 2] - b[o + 2];
    if (dx * dx + dy * dy + dz * dz > MOVE_EPS * MOVE_EPS) return true;
    const dot = a[o + 3] * b[o + 3] + a[o + 4] * b[o + 4] + a[o + 5] * b[o + 5] + a[o + 6] * b[o + 6];
    if (1 - Math.abs(dot) > TURN_EPS) return true;
  }
  return false;
}

/** Parts closer to the body than the server's limit, with room for rounding. */
const REACH = POSE_REACH_M * 0.95;

/**
 * One rig-space pose turned into the world pose the server expects: the rig stands at
 * (x, y, z) turned by `yaw` about +y. The position is kept within reach of the body
 * (a player walking around a large play area), rounded to millimetres, the quaternion
 * normalised and rounded to 1e-4.
 */
export type WirePose = [number, number, number, number, number, number, number];

export function worldPose(rig: Float32Array, part: number, x: number, y: number, z: number, yaw: number): WirePose {
  const o = part * POSE;
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  const lx = rig[o];
  const lz = rig[o + 2];
  let dx = c * lx + s * lz;
  let dy = rig[o + 1];
  let dz = -s * lx + c * lz;
  const d = Math.hypot(dx, dy, dz);
  if (d > REACH) {
    dx *= REACH / d;
    dy *= REACH / d;
    dz *= REACH / d;
  }
  // q_world = q_yaw * q_rig, with q_yaw = (0, sin(yaw/2), 0, cos(yaw/2))
  const hs = Math.sin(yaw / 2);
  const hc = Math.cos(yaw / 2);
  const qx = rig[o + 3];
  const qy = rig[o + 4];
  const qz = rig[o + 5];
  const qw = rig[o + 6];
  let wx = hc * qx + hs * qz;
  let wy = hc * qy + hs * qw;
  let wz = hc * qz - hs * qx;
  let ww = hc * qw - hs * qy;
  const n = Math.hypot(wx, wy, wz, ww) || 1;
  wx /= n;
  wy /= n;
  wz /= n;
  ww /= n;
  return [mm(x + dx), mm(y + dy), mm(z + dz), q4(wx), q4(wy), q4(wz), q4(ww)];
}

const mm = (v: number): number => Math.round(v * 1000) / 1000;
const q4 = (v: number): number => Math.round(v * 10000) / 10000;

// ------------------------------------------------------------------ receiving

const QUANT = 32767;

/**
 * Reads the VR poses of a snapshot entry ([id, x, y, z, yaw, ts, head, left, right],
 * each pose `[x_cm, y_cm, z_cm, qx, qy, qz, qw]` with int16 quaternions or null) into
 * `out`; returns the mask of parts present (0 for a walking avatar or malformed poses).
 */
export function readTrackedEntry(entry: readonly unknown[], out: Float32Array): number {
  if (entry.length < 9) return 0;
  let mask = 0;
  for (let part = 0; part < PARTS; part += 1) {
    const pose = entry[6 + part];
    if (!Array.isArray(pose) || pose.length !== POSE) continue;
    let ok = true;
    for (let i = 0; i < POSE; i += 1) if (typeof pose[i] !== "number" || !Number.isFinite(pose[i])) ok = false;
    if (!ok) continue;
    const o = part * POSE;
    out[o] = (pose[0] as number) / 100;
    out[o + 1] = (pose[1] as number) / 100;
    out[o + 2] = (pose[2] as number) / 100;
    const qx = (pose[3] as number) / QUANT;
    const qy = (pose[4] as number) / QUANT;
    const qz = (pose[5] as number) / QUANT;
    const qw = (pose[6] as number) / QUANT;
    const n = Math.hypot(qx, qy, qz, qw);
    if (n < 0.5) continue;
    out[o + 3] = qx / n;
    out[o + 4] = qy / n;
    out[o + 5] = qz / n;
    out[o + 6] = qw / n;
    mask |= 1 << part;
  }
  return mask;
}

const STRIDE = 2 + PARTS * POSE; // t, mask, poses

/**
 * A ring of timed pose samples, drawn `delay` behind like positions: positions are
 * interpolated linearly, rotations by normalised lerp along the shorter arc (samples
 * are 50 ms apart, where nlerp and slerp differ by less than a degree).
 */
export class TrackedBuffer {
  private readonly data: Float64Array;
  private head = 0;
  count = 0;

  constructor(readonly capacity = 16) {
    this.data = new Float64Array(capacity * STRIDE);
  }

  private slot(i: number): number {
    return ((this.head - this.count + i + this.capacity) % this.capacity) * STRIDE;
  }

  /** Same rule as positions: after a pause longer than `gap`, the last pose is repeated `step` before `t`. */
  push(t: number, mask: number, poses: Float32Array, gap = Infinity, step = 0): void {
    if (this.count > 0) {
      const last = this.slot(this.count - 1);
      const lastT = this.data[last];
      if (t < lastT) return;
      if (t - lastT > gap && step > 0) this.repeat(last, t - step);
    }
    const o = this.head * STRIDE;
    const d = this.data;
    d[o] = t;
    d[o + 1] = mask;
    for (let i = 0; i < PARTS * POSE; i += 1) d[o + 2 + i] = poses[i];
    this.advance();
  }

  private repeat(from: number, t: number): void {
    const o = this.head * STRIDE;
    const d = this.data;
    for (let i = 0; i < STRIDE; i += 1) d[o + i] = d[from + i];
    d[o] = t;
    this.advance();
  }

  private advance(): void {
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** Writes the poses at `time` into `out`; returns the mask of parts present then. */
  sample(time: number, out: Float32Array): number {
    const n = this.count;
    if (n === 0) return 0;
    const d = this.data;
    const first = this.slot(0);
    const last = this.slot(n - 1);
    if (time <= d[first]) return this.copy(first, out);
    if (time >= d[last]) return this.copy(last, out);
    for (let i = n - 1; i > 0; i -= 1) {
      const a = this.slot(i - 1);
      if (d[a] > time) continue;
      const b = this.slot(i);
      const span = d[b] - d[a];
      const k = span > 0 ? (time - d[a]) / span : 1;
      const maskB = d[b + 1];
      const both = d[a + 1] & maskB;
      for (let part = 0; part < PARTS; part += 1) {
        if (!(maskB & (1 << part))) continue;
        const pa = a + 2 + part * POSE;
        const pb = b + 2 + part * POSE;
        const o = part * POSE;
        if (!(both & (1 << part))) {
          for (let j = 0; j < POSE; j += 1) out[o + j] = d[pb + j];
          continue;
        }
        for (let j = 0; j < 3; j += 1) out[o + j] = d[pa + j] + (d[pb + j] - d[pa + j]) * k;
        const dot = d[pa + 3] * d[pb + 3] + d[pa + 4] * d[pb + 4] + d[pa + 5] * d[pb + 5] + d[pa + 6] * d[pb + 6];
        const sign = dot < 0 ? -1 : 1;
        let len = 0;
        for (let j = 3; j < POSE; j += 1) {
          const v = d[pa + j] * (1 - k) + sign * d[pb + j] * k;
          out[o + j] = v;
          len += v * v;
        }
        len = Math.sqrt(len) || 1;
        for (let j = 3; j < POSE; j += 1) out[o + j] /= len;
      }
      return maskB;
    }
    return this.copy(last, out);
  }

  private copy(s: number, out: Float32Array): number {
    const d = this.data;
    for (let i = 0; i < PARTS * POSE; i += 1) out[i] = d[s + 2 + i];
    return d[s + 1];
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

/** The heading (yaw about +y, three.js convention: 0 faces -z) of a part's rotation. */
export function headingOf(poses: Float32Array, part: number): number {
  const o = part * POSE;
  const x = poses[o + 3];
  const y = poses[o + 4];
  const z = poses[o + 5];
  const w = poses[o + 6];
  // the rotated -z axis, projected on the ground
  const fx = -(2 * (x * z + w * y));
  const fz = -(1 - 2 * (x * x + y * y));
  return Math.atan2(-fx, -fz);
}
