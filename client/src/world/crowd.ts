/**
 * Remote avatars drawn as a crowd: one instanced mesh per body part (bodies, left
 * legs, right legs, role rings), so fifty people cost four draw calls plus their name
 * tags instead of two hundred and fifty. Matrices and colours are written in place
 * every frame from the world state; nothing is allocated per frame. Name tags are
 * sprites, shown only within TAG_DISTANCE so a crowd stays readable and cheap.
 */

import {
  Color,
  Euler,
  Group,
  InstancedMesh,
  Matrix4,
  MeshBasicMaterial,
  MeshLambertMaterial,
  Quaternion,
  Sprite,
  SpriteMaterial,
  Vector3,
  DynamicDrawUsage,
} from "three";
import { labelTexture, roleColor, sharedParts } from "./avatarViews";

export const TAG_DISTANCE = 14;

interface Tag {
  sprite: Sprite;
  name: string;
  badge: string;
}

const position = new Vector3();
const quaternion = new Quaternion();
const unit = new Vector3(1, 1, 1);
const up = new Vector3(0, 1, 0);
const root = new Matrix4();
const local = new Matrix4();
const part = new Matrix4();
const euler = new Euler();
const colour = new Color();

export class Crowd {
  readonly group = new Group();
  private bodies: InstancedMesh;
  private legsL: InstancedMesh;
  private legsR: InstancedMesh;
  private rings: InstancedMesh;
  private readonly bodyMaterial = new MeshLambertMaterial({ color: "#ffffff" });
  private readonly ringMaterial = new MeshBasicMaterial({ color: "#ffffff" });
  private readonly tags = new Map<number, Tag>();
  private capacity = 0;
  private count = 0;

  constructor(capacity = 64) {
    this.bodies = this.legsL = this.legsR = this.rings = null as unknown as InstancedMesh;
    this.allocate(capacity);
  }

  private allocate(capacity: number): void {
    const parts = sharedParts();
    const old = [this.bodies, this.legsL, this.legsR, this.rings].filter(Boolean);
    for (const mesh of old) {
      mesh.removeFromParent();
      mesh.dispose();
    }
    const make = (geometry: typeof parts.body, material: MeshLambertMaterial | MeshBasicMaterial): InstancedMesh => {
      const mesh = new InstancedMesh(geometry, material, capacity);
      mesh.instanceMatrix.setUsage(DynamicDrawUsage);
      mesh.frustumCulled = false; // instances move every frame; their bounds are not tracked
      mesh.count = 0;
      this.group.add(mesh);
      return mesh;
    };
    this.bodies = make(parts.body, this.bodyMaterial);
    this.legsL = make(parts.leg, parts.limbs);
    this.legsR = make(parts.leg, parts.limbs);
    this.rings = make(parts.ring, this.ringMaterial);
    // instanceColor is created by the first setColorAt
    this.bodies.setColorAt(0, colour.set("#ffffff"));
    this.rings.setColorAt(0, colour.set("#ffffff"));
    this.capacity = capacity;
  }

  /** Starts a frame's crowd; `expected` is how many avatars will be added. */
  begin(expected: number): void {
    if (expected > this.capacity) this.allocate(Math.max(expected, this.capacity * 2));
    this.count = 0;
  }

  add(x: number, y: number, z: number, yaw: number, phase: number, speed: number, bounce: number, color: string, badge: string): void {
    const i = this.count;
    this.count += 1;
    const swing = Math.min(1, speed / 2) * 0.6 * Math.sin(phase);
    position.set(x, y + bounce + Math.abs(Math.sin(phase)) * 0.04 * Math.min(1, speed), z);
    quaternion.setFromAxisAngle(up, yaw);
    root.compose(position, quaternion, unit);
    this.bodies.setMatrixAt(i, root);
    this.rings.setMatrixAt(i, root);
    this.legsL.setMatrixAt(i, leg(-0.12, swing));
    this.legsR.setMatrixAt(i, leg(0.12, -swing));
    this.bodies.setColorAt(i, colour.set(color));
    this.rings.setColorAt(i, colour.set(roleColor(badge)));
  }

  end(): void {
    for (const mesh of [this.bodies, this.legsL, this.legsR, this.rings]) {
      mesh.count = this.count;
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    }
  }

  /** Places (or hides) the avatar's name tag; tags are made once per avatar and name. */
  tag(id: number, name: string, badge: string, x: number, y: number, z: number, visible: boolean): void {
    let tag = this.tags.get(id);
    if (!visible) {
      if (tag) tag.sprite.visible = false;
      return;
    }
    if (!tag) {
      const sprite = new Sprite(new SpriteMaterial({ depthWrite: false }));
      sprite.scale.set(0.9, 0.225, 1);
      tag = { sprite, name: "", badge: "" };
      this.tags.set(id, tag);
      this.group.add(sprite);
    }
    if (tag.name !== name || tag.badge !== badge) {
      tag.sprite.material.map?.dispose();
      tag.sprite.material.map = labelTexture(name, roleColor(badge));
      tag.sprite.material.needsUpdate = true;
      tag.name = name;
      tag.badge = badge;
    }
    tag.sprite.visible = true;
    tag.sprite.position.set(x, y + 2.2, z);
  }

  drop(id: number): void {
    const tag = this.tags.get(id);
    if (!tag) return;
    tag.sprite.removeFromParent();
    tag.sprite.material.map?.dispose();
    tag.sprite.material.dispose();
    this.tags.delete(id);
  }

  dispose(): void {
    for (const id of [...this.tags.keys()]) this.drop(id);
    for (const mesh of [this.bodies, this.legsL, this.legsR, this.rings]) {
      mesh.removeFromParent();
      mesh.dispose();
    }
    this.bodyMaterial.dispose();
    this.ringMaterial.dispose();
    this.group.removeFromParent();
  }
}

/** root x (hip offset) x (swing about x): a leg's matrix, written into a shared scratch matrix. */
function leg(side: number, swing: number): Matrix4 {
  euler.set(swing, 0, 0);
  local.makeRotationFromEuler(euler).setPosition(side, 0.62, 0);
  return part.multiplyMatrices(root, local);
}
