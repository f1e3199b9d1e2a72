/**
 * Name tags of the crowd in one draw call: every label is painted once into a slot of
 * one canvas texture (an atlas), and each frame the visible tags are written as
 * camera-facing quads into one preallocated geometry. Fifty sprites with fifty
 * textures cost fifty draw calls and texture binds; this costs one. A slot is
 * repainted only when a name or role changes, and freed when the avatar leaves.
 */

import {
  BufferAttribute,
  BufferGeometry,
  CanvasTexture,
  DynamicDrawUsage,
  Mesh,
  MeshBasicMaterial,
  SRGBColorSpace,
  Vector3,
  type Camera,
} from "three";
import { LABEL_HEIGHT, LABEL_WIDTH, paintLabel, roleColor } from "./avatarViews";

const COLUMNS = 4;
const ROWS = 16;
export const TAG_SLOTS = COLUMNS * ROWS; // more than a room holds (50)
const ATLAS_WIDTH = COLUMNS * LABEL_WIDTH; // 1024
const ATLAS_HEIGHT = ROWS * LABEL_HEIGHT; // 1024
const HALF_WIDTH = 0.45; // m, as the former sprites (0.9 x 0.225)
const HALF_HEIGHT = 0.1125;

const right = new Vector3();
const up = new Vector3();

export class NameTags {
  readonly mesh: Mesh;
  private readonly canvas: HTMLCanvasElement;
  private readonly g: CanvasRenderingContext2D | null;
  private readonly texture: CanvasTexture;
  private readonly geometry = new BufferGeometry();
  private readonly positions: BufferAttribute;
  private readonly uvs: BufferAttribute;
  /** Centres of the tags placed this frame (x, y, z) and their slots. */
  private readonly centres = new Float32Array(TAG_SLOTS * 3);
  private readonly placedSlots = new Uint8Array(TAG_SLOTS);
  private placed = 0;
  private readonly slotOf = new Map<number, number>();
  private readonly painted: string[] = new Array<string>(TAG_SLOTS).fill("");
  private readonly free: number[] = [];
  private dirty = false;

  constructor() {
    this.canvas = document.createElement("canvas");
    this.canvas.width = ATLAS_WIDTH;
    this.canvas.height = ATLAS_HEIGHT;
    this.g = this.canvas.getContext("2d", { willReadFrequently: true }); // painted on the CPU, like textures.ts
    this.texture = new CanvasTexture(this.canvas);
    this.texture.colorSpace = SRGBColorSpace;
    for (let i = TAG_SLOTS - 1; i >= 0; i -= 1) this.free.push(i);
    this.positions = new BufferAttribute(new Float32Array(TAG_SLOTS * 4 * 3), 3);
    this.positions.setUsage(DynamicDrawUsage);
    this.uvs = new BufferAttribute(new Float32Array(TAG_SLOTS * 4 * 2), 2);
    this.uvs.setUsage(DynamicDrawUsage);
    const index = new Uint16Array(TAG_SLOTS * 6);
    for (let q = 0; q < TAG_SLOTS; q += 1) index.set([q * 4, q * 4 + 1, q * 4 + 2, q * 4, q * 4 + 2, q * 4 + 3], q * 6);
    this.geometry.setAttribute("position", this.positions);
    this.geometry.setAttribute("uv", this.uvs);
    this.geometry.setIndex(new BufferAttribute(index, 1));
    this.geometry.setDrawRange(0, 0);
    this.mesh = new Mesh(this.geometry, new MeshBasicMaterial({ map: this.texture, transparent: true, depthWrite: false }));
    this.mesh.frustumCulled = false; // quads are rewritten every frame
    this.mesh.renderOrder = 5;
  }

  begin(): void {
    this.placed = 0;
  }

  /** Shows the tag of avatar `id` above (x, y, z) this frame. */
  place(id: number, name: string, badge: string, x: number, y: number, z: number): void {
    if (this.placed >= TAG_SLOTS) return;
    const slot = this.slotFor(id, name, badge);
    if (slot < 0) return;
    const i = this.placed;
    this.placed += 1;
    this.centres[i * 3] = x;
    this.centres[i * 3 + 1] = y;
    this.centres[i * 3 + 2] = z;
    this.placedSlots[i] = slot;
  }

  /** Writes the placed tags as quads facing `camera` (call after the camera moved). */
  face(camera: Camera): void {
    const e = camera.matrixWorld.elements;
    right.set(e[0], e[1], e[2]).normalize().multiplyScalar(HALF_WIDTH);
    up.set(e[4], e[5], e[6]).normalize().multiplyScalar(HALF_HEIGHT);
    const p = this.positions.array as Float32Array;
    const uv = this.uvs.array as Float32Array;
    for (let i = 0; i < this.placed; i += 1) {
      const cx = this.centres[i * 3];
      const cy = this.centres[i * 3 + 1];
      const cz = this.centres[i * 3 + 2];
      const o = i * 12;
      // bottom-left, bottom-right, top-right, top-left
      p[o] = cx - right.x - up.x;
      p[o + 1] = cy - right.y - up.y;
      p[o + 2] = cz - right.z - up.z;
      p[o + 3] = cx + right.x - up.x;
      p[o + 4] = cy + right.y - up.y;
      p[o + 5] = cz + right.z - up.z;
      p[o + 6] = cx + right.x + up.x;
      p[o + 7] = cy + right.y + up.y;
      p[o + 8] = cz + right.z + up.z;
      p[o + 9] = cx - right.x + up.x;
      p[o + 10] = cy - right.y + up.y;
      p[o + 11] = cz - right.z + up.z;
      const slot = this.placedSlots[i];
      const u0 = (slot % COLUMNS) / COLUMNS;
      const u1 = u0 + 1 / COLUMNS;
      const v1 = 1 - Math.floor(slot / COLUMNS) / ROWS; // canvas rows go down, v goes up
      const v0 = v1 - 1 / ROWS;
      const t = i * 8;
      uv[t] = u0;
      uv[t + 1] = v0;
      uv[t + 2] = u1;
      uv[t + 3] = v0;
      uv[t + 4] = u1;
      uv[t + 5] = v1;
      uv[t + 6] = u0;
      uv[t + 7] = v1;
    }
    this.geometry.setDrawRange(0, this.placed * 6);
    if (this.placed > 0) {
      this.positions.needsUpdate = true;
      this.uvs.needsUpdate = true;
    }
    if (this.dirty) {
      this.texture.needsUpdate = true;
      this.dirty = false;
    }
  }

  /** Frees the slot of an avatar that left. */
  drop(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.painted[slot] = "";
    this.free.push(slot);
  }

  /** How many tags are drawn this frame. */
  get count(): number {
    return this.placed;
  }

  private slotFor(id: number, name: string, badge: string): number {
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.free.pop();
      if (slot === undefined) return -1;
      this.slotOf.set(id, slot);
    }
    // Compared by parts, so the steady state builds no key string.
    const painted = this.painted[slot];
    if (painted.length !== name.length + badge.length + 1 || !painted.startsWith(badge) || !painted.endsWith(name)) {
      this.painted[slot] = `${badge}|${name}`;
      if (this.g) paintLabel(this.g, (slot % COLUMNS) * LABEL_WIDTH, Math.floor(slot / COLUMNS) * LABEL_HEIGHT, name, roleColor(badge));
      this.dirty = true;
    }
    return slot;
  }

  dispose(): void {
    this.mesh.removeFromParent();
    this.geometry.dispose();
    (this.mesh.material as MeshBasicMaterial).dispose();
    this.texture.dispose();
  }
}
