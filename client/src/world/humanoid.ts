/**
 * The procedural humanoid: body parts turned on a lathe or built from rounded
 * primitives (no downloaded assets), each a shared geometry that the crowd draws as
 * one instanced mesh. Vertex colours mark what is not the part's own colour (shoes
 * darker than trousers, eyes and brows on the face); the instance colour supplies the
 * outfit, skin or hair colour. Origins are the joints the animation turns about.
 */

import {
  BufferAttribute,
  type BufferGeometry,
  CapsuleGeometry,
  CylinderGeometry,
  LatheGeometry,
  PlaneGeometry,
  SphereGeometry,
  TorusGeometry,
  BoxGeometry,
  Vector2,
} from "three";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";

/** Heights of the joints above the feet (metres). */
export const HIP_HEIGHT = 0.9;
export const SHOULDER_HEIGHT = 1.4;
export const SHOULDER_X = 0.215;
export const HIP_X = 0.095;
export const HEAD_HEIGHT = 1.66;

export interface HumanoidParts {
  /** Chest and short sleeves, origin at the feet: outfit top. */
  torso: BufferGeometry;
  /** Pelvis, origin at the feet: outfit bottom. */
  hips: BufferGeometry;
  /** A leg and shoe hanging from the hip joint: outfit bottom. */
  leg: BufferGeometry;
  /** An arm and hand hanging from the shoulder joint: skin. */
  arm: BufferGeometry;
  /** Head, neck and face, origin at the head's centre, facing -z: skin. */
  head: BufferGeometry;
  /** Hair styles around the head's centre. */
  hair: { short: BufferGeometry; long: BufferGeometry; bun: BufferGeometry };
  /** A VR hand (a mitten along -z), origin at the controller. */
  hand: BufferGeometry;
  /** The soft shadow quad on the floor. */
  shadow: BufferGeometry;
  /** The ring that pulses over someone who is speaking. */
  speaking: BufferGeometry;
}

/** Adds a uniform vertex colour (1 = the instance colour as is); geometries stay indexed (fewer vertices to shade). */
function tint(geometry: BufferGeometry, shade: number): BufferGeometry {
  geometry.deleteAttribute("uv");
  const n = geometry.getAttribute("position").count;
  const colors = new Float32Array(n * 3).fill(shade);
  geometry.setAttribute("color", new BufferAttribute(colors, 3));
  return geometry;
}

function merge(parts: BufferGeometry[]): BufferGeometry {
  const merged = mergeGeometries(parts);
  for (const p of parts) p.dispose();
  return merged;
}

function lathe(points: [number, number][], segments = 14): LatheGeometry {
  return new LatheGeometry(points.map(([r, y]) => new Vector2(r, y)), segments);
}

const built = new Map<"near" | "far", HumanoidParts>();

/**
 * The parts at two levels of detail with the same joints, colours and attributes (so
 * both are drawn by the same shader programs): "near" for people close to the camera,
 * "far" with about a fifth of the triangles (coarser lathes and spheres, no face
 * details) for everyone further away, where a head covers a dozen pixels.
 */
export function humanoidParts(level: "near" | "far" = "near"): HumanoidParts {
  const cached = built.get(level);
  if (cached) return cached;
  const near = level === "near";
  const round = near ? 14 : 5; // lathe and sphere segments around
  const limb = near ? 8 : 4;
  // chest: wider at the shoulders, narrower at the waist, flattened front to back
  const chestProfile: [number, number][] = [[0.001, 0.84], [0.16, 0.86], [0.165, 0.98], [0.145, 1.1], [0.16, 1.24], [0.2, 1.36], [0.19, 1.44], [0.1, 1.5], [0.001, 1.52]];
  const chest = lathe(near ? chestProfile : chestProfile.filter((_, i) => i !== 2 && i !== 6), round);
  chest.scale(1, 1, 0.64);
  const sleeveL = new CylinderGeometry(0.065, 0.058, 0.22, limb).translate(-SHOULDER_X, SHOULDER_HEIGHT - 0.09, 0);
  const sleeveR = new CylinderGeometry(0.065, 0.058, 0.22, limb).translate(SHOULDER_X, SHOULDER_HEIGHT - 0.09, 0);
  const torso = merge([tint(chest, 1), tint(sleeveL, 1), tint(sleeveR, 1)]);
  const pelvis = lathe([[0.001, 0.78], [0.15, 0.8], [0.168, 0.88], [0.162, 0.95], [0.001, 0.96]], round);
  pelvis.scale(1, 1, 0.68);
  const hips = tint(pelvis, 1);
  const thigh = new CapsuleGeometry(0.072, 0.72, near ? 3 : 1, limb).translate(0, -0.42, 0);
  const shoe = new BoxGeometry(0.1, 0.08, 0.24).translate(0, -HIP_HEIGHT + 0.04, -0.04);
  const leg = merge([tint(thigh, 1), tint(shoe, 0.18)]);
  const upper = new CapsuleGeometry(0.046, 0.52, near ? 3 : 1, limb).translate(0, -0.3, 0);
  const palm = new SphereGeometry(0.052, limb, near ? 6 : 3).scale(0.8, 1.2, 0.6).translate(0, -0.64, 0);
  const arm = merge([tint(upper, 1), tint(palm, 0.95)]);
  const skull = new SphereGeometry(0.108, round, near ? 10 : 5).scale(0.94, 1.12, 1);
  const neck = new CylinderGeometry(0.05, 0.056, 0.14, near ? 12 : 5).translate(0, -0.15, 0.01);
  const face: BufferGeometry[] = [];
  if (near) {
    const nose = new SphereGeometry(0.02, 6, 4).scale(0.8, 1, 1.2).translate(0, -0.01, -0.104);
    const earL = new SphereGeometry(0.024, 6, 4).scale(0.5, 1, 0.8).translate(-0.1, 0, 0);
    const earR = new SphereGeometry(0.024, 6, 4).scale(0.5, 1, 0.8).translate(0.1, 0, 0);
    const eyeL = new SphereGeometry(0.014, 6, 4).translate(-0.036, 0.022, -0.097);
    const eyeR = new SphereGeometry(0.014, 6, 4).translate(0.036, 0.022, -0.097);
    const browL = new BoxGeometry(0.036, 0.008, 0.01).translate(-0.036, 0.048, -0.098);
    const browR = new BoxGeometry(0.036, 0.008, 0.01).translate(0.036, 0.048, -0.098);
    const mouth = new BoxGeometry(0.04, 0.008, 0.01).translate(0, -0.05, -0.099);
    face.push(tint(nose, 0.97), tint(earL, 0.95), tint(earR, 0.95), tint(eyeL, 0.08), tint(eyeR, 0.08), tint(browL, 0.3), tint(browR, 0.3), tint(mouth, 0.55));
  } else {
    // from afar the eyes read as one dark band
    face.push(tint(new BoxGeometry(0.1, 0.018, 0.01).translate(0, 0.022, -0.099), 0.12));
  }
  const head = merge([tint(skull, 1), tint(neck, 0.93), ...face]);
  const cap = (): SphereGeometry =>
    new SphereGeometry(0.118, round, near ? 8 : 4, 0, Math.PI * 2, 0, 1.75).scale(0.98, 1.1, 1.04).translate(0, 0.012, 0.012);
  const short = tint(cap(), 1);
  const fall = new CylinderGeometry(0.11, 0.12, 0.3, near ? 10 : 5, 1, true, Math.PI * 0.5, Math.PI).translate(0, -0.13, 0.012);
  const long = merge([tint(cap(), 1), tint(fall, 0.92)]);
  const bun = merge([tint(cap(), 1), tint(new SphereGeometry(0.055, near ? 12 : 5, near ? 10 : 4).translate(0, 0.1, 0.09), 0.92)]);
  const hand = tint(new BoxGeometry(0.08, 0.05, 0.15).translate(0, 0, 0.02), 1);
  const shadow = new PlaneGeometry(0.95, 0.95).rotateX(-Math.PI / 2).translate(0, 0.012, 0);
  const speaking = new TorusGeometry(0.14, 0.014, 6, near ? 28 : 12).rotateX(Math.PI / 2);
  const parts = { torso, hips, leg, arm, head, hair: { short, long, bun }, hand, shadow, speaking };
  built.set(level, parts);
  return parts;
}

/** Triangles of one person as drawn (torso, hips, two legs, two arms, head, long hair). */
export function trianglesPerPerson(p: HumanoidParts): number {
  const tris = (g: BufferGeometry): number => (g.index ? g.index.count : g.getAttribute("position").count) / 3;
  return tris(p.torso) + tris(p.hips) + 2 * tris(p.leg) + 2 * tris(p.arm) + tris(p.head) + tris(p.hair.long);
}
