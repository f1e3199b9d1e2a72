/**
 * The avatar's body language as joint angles: walk cycle (legs and arms in opposition,
 * a little bounce), idle (breathing, a slight sway) and talking (a gesturing hand and a
 * nodding head while its speech bubble is up). Pure numbers, written into `out`.
 */

export interface LimbPose {
  /** Rotation of each leg and arm about x (radians; positive swings it forward). */
  legL: number;
  legR: number;
  armL: number;
  armR: number;
  /** How far the right arm is lifted outwards (a gesture while talking). */
  armRSide: number;
  headPitch: number;
  /** Vertical bounce of the whole figure (metres) and the chest's breathing scale. */
  lift: number;
  breathe: number;
}

export function createLimbPose(): LimbPose {
  return { legL: 0, legR: 0, armL: 0, armR: 0, armRSide: 0, headPitch: 0, lift: 0, breathe: 1 };
}

/**
 * `phase` is the walk cycle (advanced by distance walked), `speed` m/s, `t` seconds
 * (for idle and talking motion), `seed` offsets the idle motion so a crowd does not
 * breathe in step.
 */
export function avatarPose(phase: number, speed: number, talking: boolean, t: number, seed: number, out: LimbPose): LimbPose {
  const walk = Math.min(1, speed / 1.4);
  const swing = walk * 0.55 * Math.sin(phase);
  const idle = 1 - walk;
  const sway = idle * 0.05 * Math.sin(t * 1.3 + seed);
  out.legL = swing;
  out.legR = -swing;
  out.armL = -swing * 0.8 + sway;
  out.armR = swing * 0.8 - sway;
  out.armRSide = 0.08;
  out.headPitch = idle * 0.03 * Math.sin(t * 0.7 + seed);
  out.lift = Math.abs(Math.sin(phase)) * 0.035 * walk;
  out.breathe = 1 + idle * 0.012 * Math.sin(t * 2.1 + seed);
  if (talking) {
    // the right hand comes up and moves with the words; the head nods
    const beat = Math.sin(t * 3.4 + seed);
    out.armR = idle * (0.55 + 0.25 * beat) + (1 - idle) * out.armR;
    out.armRSide = 0.08 + idle * 0.25;
    out.headPitch += 0.07 * Math.sin(t * 5.3 + seed);
  }
  return out;
}
