/**
 * Walking from one room into the next: when the avatar pushes against its room's edge
 * and the floor plan has another zone just beyond, the client joins that zone's room
 * (the server places it at that room's spawn point).
 */

import { zoneAt, type StoreLayout } from "../api/brand";
import type { Pose } from "./interpolation";
import type { Bounds, MoveIntent, WalkTarget } from "./movement";

const REACH = 0.8; // m beyond the avatar that counts as "walking into" the next room
const EDGE = 0.5; // m from the room's edge within which the avatar is pushing against it

export function roomAhead(
  layout: StoreLayout,
  current: string,
  bounds: Bounds,
  pose: Pose,
  intent: MoveIntent,
  target: WalkTarget,
): string | null {
  let dx = 0;
  let dz = 0;
  if (intent.forward !== 0 || intent.strafe !== 0) {
    const sin = Math.sin(pose.yaw);
    const cos = Math.cos(pose.yaw);
    dx = -sin * intent.forward + cos * intent.strafe;
    dz = -cos * intent.forward - sin * intent.strafe;
  } else if (target.active) {
    dx = target.x - pose.x;
    dz = target.z - pose.z;
  }
  const len = Math.hypot(dx, dz);
  if (len === 0) return null;
  const nearEdge =
    pose.x - bounds[0] < EDGE || bounds[3] - pose.x < EDGE || pose.z - bounds[2] < EDGE || bounds[5] - pose.z < EDGE;
  if (!nearEdge) return null;
  const px = pose.x + (dx / len) * REACH;
  const pz = pose.z + (dz / len) * REACH;
  if (px >= bounds[0] && px <= bounds[3] && pz >= bounds[2] && pz <= bounds[5]) return null;
  const zone = zoneAt(layout, px, pz);
  return zone && zone.name !== current ? zone.name : null;
}
