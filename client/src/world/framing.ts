/**
 * Where the camera goes: over the shoulder while walking, and framing a product while
 * it is inspected. Pure functions on numbers (tested without WebGL); the stage copies
 * the results into the camera.
 */

/** Camera placement: position and the point it looks at. */
export interface Shot {
  px: number;
  py: number;
  pz: number;
  tx: number;
  ty: number;
  tz: number;
}

export function createShot(): Shot {
  return { px: 0, py: 0, pz: 0, tx: 0, ty: 0, tz: 0 };
}

/** Metres behind the avatar's shoulder. */
export const SHOULDER_DISTANCE = 3.9;
/** Metres to the avatar's right: the avatar stands left of centre, the way ahead stays clear. */
export const SHOULDER_OFFSET = 0.8;
export const EYE_HEIGHT = 1.65;
/** How far ahead the camera aims, so what the visitor walks towards is in the middle. */
const AIM_AHEAD = 12;

/**
 * The over-the-shoulder shot for an avatar at (x, y, z) facing `yaw` (0 looks along -z),
 * with `pitch` (radians, positive looks down). Written into `out`; no allocation.
 */
export function overShoulder(x: number, y: number, z: number, yaw: number, pitch: number, out: Shot): Shot {
  const fx = -Math.sin(yaw);
  const fz = -Math.cos(yaw);
  // the avatar's right, when it looks along (fx, fz)
  const rx = -fz;
  const rz = fx;
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  const hx = x + rx * SHOULDER_OFFSET;
  const hz = z + rz * SHOULDER_OFFSET;
  const hy = y + EYE_HEIGHT;
  out.px = hx - fx * cp * SHOULDER_DISTANCE;
  out.pz = hz - fz * cp * SHOULDER_DISTANCE;
  out.py = hy + sp * SHOULDER_DISTANCE;
  out.tx = hx + fx * cp * AIM_AHEAD;
  out.tz = hz + fz * cp * AIM_AHEAD;
  out.ty = hy - sp * AIM_AHEAD;
  return out;
}

/**
 * Distance at which a sphere of `radius` fills at most `fill` of the part of the view
 * that is not covered (the view is `width` x `height` pixels, `covered` of them hidden
 * on the right by a panel), for a vertical field of view of `fovDeg`.
 */
export function framingDistance(radius: number, fovDeg: number, width: number, height: number, covered: number, fill = 0.85): number {
  const vHalf = (fovDeg * Math.PI) / 360;
  const visibleAspect = Math.max(0.2, (width - covered) / Math.max(1, height));
  const hHalf = Math.atan(Math.tan(vHalf) * visibleAspect);
  const half = Math.min(vHalf, hHalf);
  return radius / Math.sin(half * fill);
}

/**
 * The inspection shot: the product's centre (cx, cy, cz) seen from its front three-quarter
 * (the product faces `facing`, radians about y) at `distance`, a little from above.
 */
export function threeQuarter(cx: number, cy: number, cz: number, facing: number, distance: number, out: Shot): Shot {
  const around = facing + 0.65; // about 37 degrees off the product's nose
  const elevation = 0.32;
  out.tx = cx;
  out.ty = cy;
  out.tz = cz;
  out.px = cx + Math.sin(around) * Math.cos(elevation) * distance;
  out.pz = cz + Math.cos(around) * Math.cos(elevation) * distance;
  out.py = cy + Math.sin(elevation) * distance;
  return out;
}
