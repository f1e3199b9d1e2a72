/** The one place that fixes the order of the world's systems each frame. */

import type { OutFrame } from "../net/codec";
import type { InputState } from "./input";
import type { WorldState } from "./state";
import {
  animationSystem,
  inputSystem,
  interpolationSystem,
  networkReceiveSystem,
  networkSendSystem,
  predictionSystem,
  trackingSystem,
} from "./systems";
import type { PoseSource } from "./tracked";

/** input (keys, VR poses) -> network in -> prediction -> network out -> interpolation -> animation (then the view renders). */
export function worldTick(
  world: WorldState,
  input: InputState,
  now: number,
  dt: number,
  send: (frame: OutFrame) => boolean,
  poses: PoseSource | null = null,
): void {
  inputSystem(world, input);
  trackingSystem(world, poses);
  networkReceiveSystem(world, now);
  predictionSystem(world, dt);
  networkSendSystem(world, now, send);
  interpolationSystem(world, now);
  animationSystem(world, dt);
}

/** Median of the first `count` values of a ring buffer (for frame-time figures). */
export function median(values: Float32Array, count: number): number {
  if (count === 0) return 0;
  const sorted = Array.from(values.subarray(0, count)).sort((a, b) => a - b);
  const mid = count >> 1;
  return count % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
