/**
 * Everyone in the room drawn as a crowd of procedural humanoids (humanoid.ts): one
 * instanced mesh per body part (torsos, hips, legs, arms, heads, three hair styles,
 * VR hands, floor shadows, speaking rings) and level of detail (people beyond the
 * tier's distance from the camera are drawn with parts of a fifth of the triangles,
 * with the same shader programs), so fifty people cost two dozen draw calls.
 * Each instance gets the avatar's outfit, skin or hair colour; poses come from
 * avatarPose (walk, idle, talking). An avatar in VR has its head placed and turned by
 * the headset, its body under the head facing where the head faces, and its hands
 * where the controllers are. Matrices and colours are written in place every frame;
 * colours are parsed once per distinct value; nothing is allocated per frame. Name
 * tags are quads on one atlas texture (nameTags.ts), shown only within TAG_DISTANCE.
 */

import {
  type BufferGeometry,
  type Camera,
  Color,
  DynamicDrawUsage,
  Euler,
  Group,
  InstancedMesh,
  type Material,
  Matrix4,
  MeshBasicMaterial,
  MeshLambertMaterial,
  Quaternion,
  type Texture,
  Vector3,
} from "three";
import { HAIR_COLORS, SKIN_TONES, type Appearance } from "./appearance";
import { avatarPose, createLimbPose } from "./avatarPose";
import { HEAD_HEIGHT, HIP_HEIGHT, HIP_X, humanoidParts, SHOULDER_HEIGHT, SHOULDER_X } from "./humanoid";
import { NameTags } from "./nameTags";
import { HEAD, headingOf, LEFT, POSE, RIGHT } from "./tracked";

export const TAG_DISTANCE = 14;
export { HEAD_HEIGHT };

const BODY_SCALE: Record<Appearance["body"], [number, number, number]> = {
  slim: [0.92, 1.0, 0.92],
  regular: [1, 1, 1],
  broad: [1.12, 1.02, 1.1],
};

const position = new Vector3();
const quaternion = new Quaternion();
const scale = new Vector3();
const unit = new Vector3(1, 1, 1);
const up = new Vector3(0, 1, 0);
const root = new Matrix4();
const local = new Matrix4();
const turn = new Matrix4();
const part = new Matrix4();
const euler = new Euler();
const limbs = createLimbPose();

type PartName = "torsos" | "hips" | "legs" | "arms" | "heads" | "short" | "long" | "bun" | "hands" | "shadows" | "speaking";

type Level = "near" | "far";
const LEVELS: readonly Level[] = ["near", "far"];

export class Crowd {
  readonly group = new Group();
  readonly tags = new NameTags();
  /** Each part at both levels of detail; one avatar is drawn entirely at one level. */
  private meshes = { near: {}, far: {} } as Record<Level, Record<PartName, InstancedMesh>>;
  private readonly counts = { near: {}, far: {} } as Record<Level, Record<PartName, number>>;
  /** The level of the avatar being added. */
  private level: Level = "near";
  /** Where the camera is (x, z): people further than `lodDistance` from it are drawn at the far level. */
  readonly viewer = { x: 0, z: 0 };
  lodDistance = 8;
  // Matte Lambert shading for people: in a crowd they cover much of the view, and a
  // software renderer spent most of a frame on their physically based fragments.
  private readonly skin = new MeshLambertMaterial({ vertexColors: true });
  private readonly cloth = new MeshLambertMaterial({ vertexColors: true });
  private readonly hairMaterial = new MeshLambertMaterial({ vertexColors: true });
  private readonly shadowMaterial: MeshBasicMaterial;
  private readonly speakingMaterial = new MeshBasicMaterial({ color: "#3ddc84", toneMapped: false });
  /** Parsed colours by "#rrggbb", so a frame never parses one twice. */
  private readonly palette = new Map<string, Color>();
  private capacity = 0;

  constructor(shadowTexture: Texture, capacity = 64) {
    this.shadowMaterial = new MeshBasicMaterial({ map: shadowTexture, transparent: true, depthWrite: false, toneMapped: false });
    this.allocate(capacity);
    this.group.add(this.tags.mesh);
  }

  private allocate(capacity: number): void {
    for (const level of LEVELS) this.meshes[level] = this.allocateLevel(level, capacity);
    this.capacity = capacity;
  }

  private allocateLevel(level: Level, capacity: number): Record<PartName, InstancedMesh> {
    for (const mesh of Object.values(this.meshes[level])) {
      mesh.removeFromParent();
      mesh.dispose();
    }
    const p = humanoidParts(level);
    const make = (geometry: BufferGeometry, material: Material, slots: number, colours = true): InstancedMesh => {
      const mesh = new InstancedMesh(geometry, material, slots);
      mesh.instanceMatrix.setUsage(DynamicDrawUsage);
      mesh.frustumCulled = false; // instances move every frame; their bounds are not tracked
      mesh.count = 0;
      if (colours) mesh.setColorAt(0, this.colour("#ffffff")); // creates instanceColor
      this.group.add(mesh);
      return mesh;
    };
    const meshes = {
      shadows: make(p.shadow, this.shadowMaterial, capacity, false),
      torsos: make(p.torso, this.cloth, capacity),
      hips: make(p.hips, this.cloth, capacity),
      legs: make(p.leg, this.cloth, capacity * 2),
      arms: make(p.arm, this.skin, capacity * 2),
      heads: make(p.head, this.skin, capacity),
      short: make(p.hair.short, this.hairMaterial, capacity),
      long: make(p.hair.long, this.hairMaterial, capacity),
      bun: make(p.hair.bun, this.hairMaterial, capacity),
      hands: make(p.hand, this.skin, capacity * 2),
      speaking: make(p.speaking, this.speakingMaterial, capacity, false),
    };
    // People are drawn before the store: the floor and walls behind them then fail the
    // depth test instead of being shaded and painted over (software renderers pay per pixel).
    for (const mesh of Object.values(meshes)) if (mesh.material !== this.shadowMaterial && mesh.material !== this.speakingMaterial) mesh.renderOrder = -2;
    meshes.shadows.renderOrder = -1;
    return meshes;
  }

  private colour(hex: string): Color {
    let c = this.palette.get(hex);
    if (!c) {
      c = new Color(hex);
      this.palette.set(hex, c);
    }
    return c;
  }

  private put(name: PartName, matrix: Matrix4, colour: Color | null): void {
    const mesh = this.meshes[this.level][name];
    const counts = this.counts[this.level];
    const i = counts[name];
    counts[name] = i + 1;
    mesh.setMatrixAt(i, matrix);
    if (colour) mesh.setColorAt(i, colour);
  }

  /** Starts a frame's crowd; `expected` is how many avatars will be added. */
  begin(expected: number): void {
    if (expected > this.capacity) this.allocate(Math.max(expected, this.capacity * 2));
    for (const level of LEVELS) for (const name of Object.keys(this.meshes[level]) as PartName[]) this.counts[level][name] = 0;
    this.tags.begin();
  }

  /**
   * One avatar at (x, y, z) facing `yaw`; `t` is the time in seconds (idle and talking
   * motion), `tracked` its VR poses (world space) and `mask` which of head, left and
   * right hand are present (0 for a walking avatar).
   */
  add(
    x: number, y: number, z: number, yaw: number, phase: number, speed: number, bounce: number,
    look: Appearance, talking: boolean, t: number, seed: number,
    tracked: Float32Array | null = null, mask = 0,
  ): void {
    const vrHead = tracked !== null && (mask & (1 << HEAD)) !== 0;
    if (vrHead) {
      // the body stands under the head and faces where the head faces
      x = tracked[0];
      z = tracked[2];
      yaw = headingOf(tracked, HEAD);
    }
    this.level = Math.hypot(x - this.viewer.x, z - this.viewer.z) > this.lodDistance ? "far" : "near";
    avatarPose(phase, speed, talking, t, seed, limbs);
    const skin = this.colour(SKIN_TONES[look.skin] ?? SKIN_TONES[0]);
    const top = this.colour(look.top);
    const bottom = this.colour(look.bottom);
    const [sx, sy, sz] = BODY_SCALE[look.body];

    part.makeTranslation(x, y + 0.001, z);
    this.put("shadows", part, null);

    position.set(x, y + bounce + limbs.lift, z);
    quaternion.setFromAxisAngle(up, yaw);
    root.compose(position, quaternion, scale.set(sx, sy, sz));
    this.put("hips", root, bottom);
    local.makeScale(1, limbs.breathe, 1);
    this.put("torsos", part.multiplyMatrices(root, local), top);
    this.put("legs", joint(-HIP_X, HIP_HEIGHT, limbs.legL, 0), bottom);
    this.put("legs", joint(HIP_X, HIP_HEIGHT, limbs.legR, 0), bottom);
    this.put("arms", joint(-SHOULDER_X, SHOULDER_HEIGHT, limbs.armL, 0.08), skin);
    this.put("arms", joint(SHOULDER_X, SHOULDER_HEIGHT, limbs.armR, limbs.armRSide), skin);
    if (vrHead) poseMatrix(tracked, HEAD);
    else {
      euler.set(-limbs.headPitch, 0, 0);
      local.makeRotationFromEuler(euler).setPosition(0, HEAD_HEIGHT, 0);
      part.multiplyMatrices(root, local);
    }
    this.put("heads", part, skin);
    if (look.hair !== "none") this.put(look.hair, part, this.colour(HAIR_COLORS[look.hairColor] ?? HAIR_COLORS[0]));
    if (talking) {
      const pulse = 1 + 0.18 * Math.sin(t * 9);
      part.compose(position.set(x, y + 2.0 * sy, z), quaternion.identity(), scale.set(pulse, pulse, pulse));
      this.put("speaking", part, null);
    }
    if (tracked !== null) {
      for (const hand of HANDS) {
        if (mask & (1 << hand)) this.put("hands", poseMatrix(tracked, hand), skin);
      }
    }
  }

  end(): void {
    for (const level of LEVELS) {
      for (const name of Object.keys(this.meshes[level]) as PartName[]) {
        const mesh = this.meshes[level][name];
        mesh.count = this.counts[level][name];
        // only what changed is sent to the GPU: nothing for an empty level
        if (mesh.count === 0) continue;
        mesh.instanceMatrix.clearUpdateRanges();
        mesh.instanceMatrix.addUpdateRange(0, mesh.count * 16);
        mesh.instanceMatrix.needsUpdate = true;
        if (mesh.instanceColor) {
          mesh.instanceColor.clearUpdateRanges();
          mesh.instanceColor.addUpdateRange(0, mesh.count * 3);
          mesh.instanceColor.needsUpdate = true;
        }
      }
    }
  }

  /** How many avatars are drawn this frame, near and far (for the debug hook). */
  drawn(): { near: number; far: number } {
    return { near: this.meshes.near.heads.count, far: this.meshes.far.heads.count };
  }

  /** Where the hands are drawn this frame (for the debug hook). */
  handsDrawn(): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (const level of LEVELS) {
      const hands = this.meshes[level].hands;
      for (let i = 0; i < hands.count; i += 1) {
        hands.getMatrixAt(i, part);
        position.setFromMatrixPosition(part);
        out.push([position.x, position.y, position.z]);
      }
    }
    return out;
  }

  /** Shows the avatar's name tag this frame when `visible`. */
  tag(id: number, name: string, badge: string, x: number, y: number, z: number, visible: boolean): void {
    if (visible) this.tags.place(id, name, badge, x, y + 2.2, z);
  }

  /** Turns this frame's name tags towards the camera (after it was placed). */
  faceTags(camera: Camera): void {
    this.tags.face(camera);
  }

  drop(id: number): void {
    this.tags.drop(id);
  }

  dispose(): void {
    this.tags.dispose();
    for (const level of LEVELS) {
      for (const mesh of Object.values(this.meshes[level])) {
        mesh.removeFromParent();
        mesh.dispose();
      }
    }
    for (const m of [this.skin, this.cloth, this.hairMaterial, this.shadowMaterial, this.speakingMaterial]) m.dispose();
    this.group.removeFromParent();
  }
}

const HANDS = [LEFT, RIGHT] as const;

/** A tracked part's world pose as a matrix, in the shared scratch matrix. */
function poseMatrix(tracked: Float32Array, p: number): Matrix4 {
  const o = p * POSE;
  position.set(tracked[o], tracked[o + 1], tracked[o + 2]);
  quaternion.set(tracked[o + 3], tracked[o + 4], tracked[o + 5], tracked[o + 6]);
  return part.compose(position, quaternion, unit);
}

/** root x (joint offset) x (side lift about z) x (swing about x), in the shared scratch matrix. */
function joint(jx: number, jy: number, swing: number, side: number): Matrix4 {
  euler.set(swing, 0, Math.sign(jx) * side, "ZXY");
  local.makeRotationFromEuler(euler).setPosition(jx, jy, 0);
  turn.multiplyMatrices(root, local);
  return part.copy(turn);
}
