/**
 * Local prediction: the own avatar moves at once from the input, inside the room's
 * bounds and under the server's speed limit; the server only corrects it when it
 * disagrees (a `correct` frame), so walking never waits for a round trip.
 */

import { angleDelta, type Pose } from "./interpolation";

export interface MoveIntent {
  forward: number; // -1..1
  strafe: number; // -1..1 (right positive)
  turn: number; // rad/s (left positive)
}

export interface WalkTarget {
  active: boolean;
  x: number;
  z: number;
}

/** [min_x, min_y, min_z, max_x, max_y, max_z] as the welcome frame gives them. */
export type Bounds = readonly [number, number, number, number, number, number];

const MARGIN = 0.3; // keeps the avatar's body off the walls
const ARRIVED = 0.15;

/** Moves `pose` for `dt` seconds; returns whether it moved or turned. */
export function stepLocal(
  pose: Pose,
  intent: MoveIntent,
  target: WalkTarget,
  dt: number,
  speed: number,
  bounds: Bounds,
): boolean {
  const startX = pose.x;
  const startZ = pose.z;
  const startYaw = pose.yaw;
  pose.yaw += intent.turn * dt;
  let vx = 0;
  let vz = 0;
  if (intent.forward !== 0 || intent.strafe !== 0) {
    target.active = false;
    const sin = Math.sin(pose.yaw);
    const cos = Math.cos(pose.yaw);
    // yaw 0 faces -z; "right" of that is +x
    vx = -sin * intent.forward + cos * intent.strafe;
    vz = -cos * intent.forward - sin * intent.strafe;
    const len = Math.hypot(vx, vz);
    if (len > 1) {
      vx /= len;
      vz /= len;
    }
  } else if (target.active) {
    const dx = target.x - pose.x;
    const dz = target.z - pose.z;
    const dist = Math.hypot(dx, dz);
    if (dist < ARRIVED) {
      target.active = false;
    } else {
      const want = Math.atan2(-dx, -dz);
      pose.yaw += angleDelta(pose.yaw, want) * Math.min(1, dt * 10);
      const stepLen = Math.min(1, dist / Math.max(speed * dt, 1e-6));
      vx = (dx / dist) * stepLen;
      vz = (dz / dist) * stepLen;
    }
  }
  pose.x = clamp(pose.x + vx * speed * dt, bounds[0] + MARGIN, bounds[3] - MARGIN);
  pose.z = clamp(pose.z + vz * speed * dt, bounds[2] + MARGIN, bounds[5] - MARGIN);
  return pose.x !== startX || pose.z !== startZ || pose.yaw !== startYaw;
}

export function clamp(value: number, lo: number, hi: number): number {
  return lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, value));
}

/** Walking speed: comfortable, and safely under what the server accepts. */
export function walkSpeed(serverMax: number): number {
  return Math.min(3.2, serverMax * 0.8);
}
