/**
 * Procedural avatars: a stylised figure built from shared primitives (no downloaded
 * assets), body in the avatar's own colour, a floor ring and name tag in its role
 * colour. Geometries and most materials are shared; each view owns only its name-tag
 * texture and is disposed when the avatar leaves.
 */

import {
  BufferGeometry,
  CanvasTexture,
  CapsuleGeometry,
  Group,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  RingGeometry,
  SphereGeometry,
  Sprite,
  SpriteMaterial,
  BoxGeometry,
  SRGBColorSpace,
} from "three";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";

export const ROLE_COLORS: Readonly<Record<string, string>> = {
  customer: "#2f80ed",
  advisor: "#1e9e6a",
  bot: "#8e44ad",
};

export function roleColor(badge: string): string {
  return ROLE_COLORS[badge] ?? ROLE_COLORS.customer;
}

export interface Shared {
  /** Torso and arms, origin at the feet. */
  body: BufferGeometry;
  /** Head and nose, origin at the head's centre (HEAD_HEIGHT above the feet when walking). */
  head: BufferGeometry;
  /** A VR hand (a mitten along -z), origin at the controller. */
  hand: BufferGeometry;
  leg: BufferGeometry;
  ring: BufferGeometry;
  limbs: MeshLambertMaterial;
  bodies: Map<string, MeshLambertMaterial>;
  rings: Map<string, MeshBasicMaterial>;
}

let shared: Shared | null = null;

export function sharedParts(): Shared {
  if (shared) return shared;
  const torso = new CapsuleGeometry(0.26, 0.55, 4, 10);
  torso.translate(0, 1.05, 0);
  const armL = new CapsuleGeometry(0.07, 0.5, 2, 6);
  armL.translate(-0.34, 1.08, 0);
  const armR = armL.clone();
  armR.translate(0.68, 0, 0);
  const body = mergeGeometries([torso, armL, armR].map((g) => g.toNonIndexed()));
  // The head is apart from the body so that a VR avatar's head can turn on its own.
  const skull = new SphereGeometry(0.2, 12, 8);
  const nose = new BoxGeometry(0.08, 0.06, 0.08);
  nose.translate(0, 0, -0.2); // shows which way the avatar faces
  const head = mergeGeometries([skull, nose].map((g) => g.toNonIndexed()));
  const hand = new BoxGeometry(0.08, 0.05, 0.15);
  hand.translate(0, 0, 0.02);
  for (const g of [torso, armL, armR, skull, nose]) g.dispose();
  const leg = new CapsuleGeometry(0.09, 0.45, 2, 6);
  leg.translate(0, -0.3, 0); // pivot at the hip
  const ring = new RingGeometry(0.38, 0.5, 24);
  ring.rotateX(-Math.PI / 2);
  ring.translate(0, 0.02, 0);
  shared = {
    body,
    head,
    hand,
    leg,
    ring,
    limbs: new MeshLambertMaterial({ color: "#3a3f47" }),
    bodies: new Map(),
    rings: new Map(),
  };
  return shared;
}

function bodyMaterial(color: string): MeshLambertMaterial {
  const parts = sharedParts();
  let material = parts.bodies.get(color);
  if (!material) {
    material = new MeshLambertMaterial({ color });
    parts.bodies.set(color, material);
  }
  return material;
}

function ringMaterial(badge: string): MeshBasicMaterial {
  const parts = sharedParts();
  const color = roleColor(badge);
  let material = parts.rings.get(color);
  if (!material) {
    material = new MeshBasicMaterial({ color });
    parts.rings.set(color, material);
  }
  return material;
}

export const LABEL_WIDTH = 256;
export const LABEL_HEIGHT = 64;

/** Paints a LABEL_WIDTH x LABEL_HEIGHT label at (x, y) with fillText: text is painted, never parsed. */
export function paintLabel(g: CanvasRenderingContext2D, x: number, y: number, text: string, background: string, foreground = "#ffffff"): void {
  g.clearRect(x, y, LABEL_WIDTH, LABEL_HEIGHT);
  g.fillStyle = background;
  g.beginPath();
  g.roundRect(x + 2, y + 2, LABEL_WIDTH - 4, LABEL_HEIGHT - 4, 18);
  g.fill();
  g.fillStyle = foreground;
  g.font = "600 30px system-ui, sans-serif";
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(text.length > 18 ? `${text.slice(0, 17)}…` : text, x + LABEL_WIDTH / 2, y + 33, LABEL_WIDTH - 16);
}

/** A canvas label drawn with fillText: names are painted as text, never parsed. */
export function labelTexture(text: string, background: string, foreground = "#ffffff"): CanvasTexture {
  const canvas = document.createElement("canvas");
  canvas.width = LABEL_WIDTH;
  canvas.height = LABEL_HEIGHT;
  const g = canvas.getContext("2d");
  if (g) paintLabel(g, 0, 0, text, background, foreground);
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  return texture;
}

export const HEAD_HEIGHT = 1.72;

export interface AvatarView {
  root: Group;
  body: Mesh;
  head: Mesh;
  legL: Mesh;
  legR: Mesh;
  ring: Mesh;
  tag: Sprite;
  name: string;
  badge: string;
}

export function createAvatarView(name: string, badge: string, color: string): AvatarView {
  const parts = sharedParts();
  const root = new Group();
  const body = new Mesh(parts.body, bodyMaterial(color));
  const head = new Mesh(parts.head, body.material);
  head.position.y = HEAD_HEIGHT;
  const legL = new Mesh(parts.leg, parts.limbs);
  legL.position.set(-0.12, 0.62, 0);
  const legR = new Mesh(parts.leg, parts.limbs);
  legR.position.set(0.12, 0.62, 0);
  const ring = new Mesh(parts.ring, ringMaterial(badge));
  const tag = new Sprite(new SpriteMaterial({ map: labelTexture(name, roleColor(badge)), depthWrite: false }));
  tag.scale.set(0.9, 0.225, 1);
  tag.position.set(0, 2.2, 0);
  root.add(body, head, legL, legR, ring, tag);
  return { root, body, head, legL, legR, ring, tag, name, badge };
}

/** Repaints the tag and ring after the name or role became known. */
export function relabel(view: AvatarView, name: string, badge: string): void {
  if (view.name === name && view.badge === badge) return;
  const material = view.tag.material;
  material.map?.dispose();
  material.map = labelTexture(name, roleColor(badge));
  material.needsUpdate = true;
  view.ring.material = ringMaterial(badge);
  view.name = name;
  view.badge = badge;
}

/** Pose and walk cycle; `bounce` lifts the whole figure (emotes). */
export function poseView(view: AvatarView, x: number, y: number, z: number, yaw: number, phase: number, speed: number, bounce: number): void {
  const swing = Math.min(1, speed / 2) * 0.6 * Math.sin(phase);
  view.root.position.set(x, y + bounce + Math.abs(Math.sin(phase)) * 0.04 * Math.min(1, speed), z);
  view.root.rotation.y = yaw;
  view.legL.rotation.x = swing;
  view.legR.rotation.x = -swing;
}

export function disposeAvatarView(view: AvatarView): void {
  view.root.removeFromParent();
  view.tag.material.map?.dispose();
  view.tag.material.dispose();
}
