/**
 * Remote avatars drawn as a crowd: one instanced mesh per body part (bodies, heads,
 * left legs, right legs, role rings, VR hands) and one for all name tags, so fifty
 * people cost seven draw calls instead of three hundred. An avatar in VR has its head placed and
 * turned by the headset's pose, its body under the head facing where the head faces,
 * and its hands where the controllers are. Matrices and colours are written in place
 * every frame from the world state; nothing is allocated per frame. Name tags are
 * quads on one atlas texture (nameTags.ts), one more draw call, shown only within
 * TAG_DISTANCE so a crowd stays readable.
 */

import {
  type Camera,
  Color,
  Euler,
  Group,
  InstancedMesh,
  Matrix4,
  MeshBasicMaterial,
  MeshLambertMaterial,
  Quaternion,
  Vector3,
  DynamicDrawUsage,
} from "three";
import { HEAD_HEIGHT, roleColor, sharedParts } from "./avatarViews";
import { NameTags } from "./nameTags";
import { HEAD, headingOf, LEFT, POSE, RIGHT } from "./tracked";

export const TAG_DISTANCE = 14;

const position = new Vector3();
const quaternion = new Quaternion();
const unit = new Vector3(1, 1, 1);
const up = new Vector3(0, 1, 0);
const root = new Matrix4();
const local = new Matrix4();
const part = new Matrix4();
const euler = new Euler();
const colour = new Color();
const headOffset = new Matrix4().makeTranslation(0, HEAD_HEIGHT, 0);

export class Crowd {
  readonly group = new Group();
  private bodies: InstancedMesh;
  private heads: InstancedMesh;
  private legsL: InstancedMesh;
  private legsR: InstancedMesh;
  private rings: InstancedMesh;
  private hands: InstancedMesh;
  /** The colour each instance slot was last given, so colours are parsed only on change. */
  private slotColor: string[] = [];
  private slotBadge: string[] = [];
  private readonly bodyMaterial = new MeshLambertMaterial({ color: "#ffffff" });
  private readonly ringMaterial = new MeshBasicMaterial({ color: "#ffffff" });
  readonly tags = new NameTags();
  private capacity = 0;
  private count = 0;
  private handCount = 0;

  constructor(capacity = 64) {
    this.bodies = this.heads = this.legsL = this.legsR = this.rings = this.hands = null as unknown as InstancedMesh;
    this.allocate(capacity);
    this.group.add(this.tags.mesh);
  }

  private allocate(capacity: number): void {
    const parts = sharedParts();
    const old = this.meshes().filter(Boolean);
    for (const mesh of old) {
      mesh.removeFromParent();
      mesh.dispose();
    }
    const make = (geometry: typeof parts.body, material: MeshLambertMaterial | MeshBasicMaterial, slots = capacity): InstancedMesh => {
      const mesh = new InstancedMesh(geometry, material, slots);
      mesh.instanceMatrix.setUsage(DynamicDrawUsage);
      mesh.frustumCulled = false; // instances move every frame; their bounds are not tracked
      mesh.count = 0;
      this.group.add(mesh);
      return mesh;
    };
    this.bodies = make(parts.body, this.bodyMaterial);
    this.heads = make(parts.head, this.bodyMaterial);
    this.hands = make(parts.hand, this.bodyMaterial, capacity * 2);
    this.legsL = make(parts.leg, parts.limbs);
    this.legsR = make(parts.leg, parts.limbs);
    this.rings = make(parts.ring, this.ringMaterial);
    // instanceColor is created by the first setColorAt
    for (const mesh of [this.bodies, this.heads, this.hands, this.rings]) mesh.setColorAt(0, colour.set("#ffffff"));
    this.slotColor = [];
    this.slotBadge = [];
    this.capacity = capacity;
  }

  private meshes(): InstancedMesh[] {
    return [this.bodies, this.heads, this.legsL, this.legsR, this.rings, this.hands];
  }

  /** Starts a frame's crowd; `expected` is how many avatars will be added. */
  begin(expected: number): void {
    if (expected > this.capacity) this.allocate(Math.max(expected, this.capacity * 2));
    this.count = 0;
    this.handCount = 0;
    this.tags.begin();
  }

  /**
   * One avatar; `tracked` holds its VR poses (world space) and `mask` which of head,
   * left and right hand are present (0 for a walking avatar).
   */
  add(
    x: number, y: number, z: number, yaw: number, phase: number, speed: number, bounce: number,
    color: string, badge: string, tracked: Float32Array | null = null, mask = 0,
  ): void {
    const i = this.count;
    this.count += 1;
    const vrHead = tracked !== null && (mask & (1 << HEAD)) !== 0;
    if (vrHead) {
      // the body stands under the head and faces where the head faces
      x = tracked[0];
      z = tracked[2];
      yaw = headingOf(tracked, HEAD);
    }
    const swing = Math.min(1, speed / 2) * 0.6 * Math.sin(phase);
    position.set(x, y + bounce + Math.abs(Math.sin(phase)) * 0.04 * Math.min(1, speed), z);
    quaternion.setFromAxisAngle(up, yaw);
    root.compose(position, quaternion, unit);
    this.bodies.setMatrixAt(i, root);
    this.rings.setMatrixAt(i, root);
    this.legsL.setMatrixAt(i, leg(-0.12, swing));
    this.legsR.setMatrixAt(i, leg(0.12, -swing));
    this.heads.setMatrixAt(i, vrHead ? poseMatrix(tracked, HEAD) : part.multiplyMatrices(root, headOffset));
    if (tracked !== null) {
      for (const hand of HANDS) {
        if (!(mask & (1 << hand))) continue;
        const h = this.handCount;
        this.handCount += 1;
        this.hands.setMatrixAt(h, poseMatrix(tracked, hand));
        this.hands.setColorAt(h, colour.set(color));
      }
    }
    if (this.slotColor[i] !== color) {
      this.slotColor[i] = color;
      colour.set(color);
      this.bodies.setColorAt(i, colour);
      this.heads.setColorAt(i, colour);
    }
    if (this.slotBadge[i] !== badge) {
      this.slotBadge[i] = badge;
      this.rings.setColorAt(i, colour.set(roleColor(badge)));
    }
  }

  end(): void {
    for (const mesh of this.meshes()) {
      mesh.count = mesh === this.hands ? this.handCount : this.count;
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    }
  }

  /** Where the hands are drawn this frame (for the debug hook). */
  handsDrawn(): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (let i = 0; i < this.hands.count; i += 1) {
      this.hands.getMatrixAt(i, part);
      position.setFromMatrixPosition(part);
      out.push([position.x, position.y, position.z]);
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
    for (const mesh of this.meshes()) {
      mesh.removeFromParent();
      mesh.dispose();
    }
    this.bodyMaterial.dispose();
    this.ringMaterial.dispose();
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

/** root x (hip offset) x (swing about x): a leg's matrix, written into a shared scratch matrix. */
function leg(side: number, swing: number): Matrix4 {
  euler.set(swing, 0, 0);
  local.makeRotationFromEuler(euler).setPosition(side, 0.62, 0);
  return part.multiplyMatrices(root, local);
}
