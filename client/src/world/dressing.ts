/**
 * What makes the store feel furnished: a dark ceiling with linear light fixtures over
 * every zone, plants in the corners, a reception desk at the entrance and seating in the
 * lounge. Where things go is computed from the layout (dressingPlan, tested without
 * WebGL); the pieces are merged per material so the whole dressing costs a handful of
 * draw calls. Zones are recognised by their role name ("entrance", "lounge").
 */

import {
  BoxGeometry,
  type BufferGeometry,
  CylinderGeometry,
  Group,
  IcosahedronGeometry,
  type Material,
  Mesh,
  MeshBasicMaterial,
  MeshStandardMaterial,
  PlaneGeometry,
} from "three";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";
import type { StoreLayout } from "../api/brand";

export type PieceKind = "plant" | "desk" | "sofa" | "table";

export interface Piece {
  kind: PieceKind;
  x: number;
  z: number;
  /** Radians about y; a sofa faces +z at 0. */
  rotation: number;
}

const CORNER_INSET = 1.3;
/** Fixtures run along x, this far apart. */
const FIXTURE_SPACING = 4;

/** Where the furniture goes, from the zones' bounds and roles. */
export function dressingPlan(layout: StoreLayout): Piece[] {
  const pieces: Piece[] = [];
  for (const zone of layout.zones) {
    const b = zone.bounds;
    for (const x of [b.min_x + CORNER_INSET, b.max_x - CORNER_INSET]) {
      for (const z of [b.min_z + CORNER_INSET, b.max_z - CORNER_INSET]) pieces.push({ kind: "plant", x, z, rotation: x + z });
    }
    const cx = (b.min_x + b.max_x) / 2;
    const cz = (b.min_z + b.max_z) / 2;
    if (zone.name === "entrance") {
      pieces.push({ kind: "desk", x: cx + (b.max_x - b.min_x) * 0.28, z: cz - (b.max_z - b.min_z) * 0.1, rotation: -Math.PI / 2 });
    }
    if (zone.name === "lounge") {
      pieces.push({ kind: "table", x: cx, z: cz, rotation: 0 });
      pieces.push({ kind: "sofa", x: cx, z: cz - 1.6, rotation: 0 });
      pieces.push({ kind: "sofa", x: cx, z: cz + 1.6, rotation: Math.PI });
    }
  }
  return pieces;
}

export interface Dressing {
  root: Group;
  dispose(): void;
}

type Parts = Map<string, BufferGeometry[]>;

function add(parts: Parts, key: string, g: BufferGeometry, p: Piece, y = 0): void {
  g.rotateY(p.rotation);
  g.translate(p.x, y, p.z);
  const list = parts.get(key) ?? [];
  list.push(g.index ? g.toNonIndexed() : g);
  if (g.index) g.dispose();
  parts.set(key, list);
}

function box(w: number, h: number, d: number, x: number, y: number, z: number): BoxGeometry {
  const g = new BoxGeometry(w, h, d);
  g.translate(x, y, z);
  return g;
}

function plant(parts: Parts, p: Piece): void {
  add(parts, "pot", new CylinderGeometry(0.34, 0.26, 0.7, 20, 1).translate(0, 0.35, 0), p);
  // a few leafy blobs of different sizes: reads as a bush at store distance
  const blobs: [number, number, number, number][] = [[0, 1.15, 0, 0.5], [0.25, 1.45, 0.1, 0.38], [-0.2, 1.5, -0.12, 0.34], [0.05, 1.8, 0, 0.3]];
  for (const [x, y, z, r] of blobs) add(parts, "leaves", new IcosahedronGeometry(r, 1).translate(x, y, z), p);
}

function desk(parts: Parts, p: Piece): void {
  add(parts, "white", box(2.6, 1.05, 0.7, 0, 0.525, 0), p);
  add(parts, "white", box(2.8, 0.05, 0.9, 0, 1.075, 0), p);
  add(parts, "accent", box(2.62, 0.12, 0.02, 0, 0.8, 0.36), p);
}

function sofa(parts: Parts, p: Piece): void {
  add(parts, "fabric", box(2.2, 0.42, 0.9, 0, 0.21, 0), p);
  add(parts, "fabric", box(2.2, 0.5, 0.22, 0, 0.62, -0.34), p);
  add(parts, "fabric", box(0.2, 0.3, 0.9, 1.0, 0.57, 0), p);
  add(parts, "fabric", box(0.2, 0.3, 0.9, -1.0, 0.57, 0), p);
  add(parts, "cushion", box(0.95, 0.14, 0.66, 0.5, 0.49, 0.06), p);
  add(parts, "cushion", box(0.95, 0.14, 0.66, -0.5, 0.49, 0.06), p);
}

function table(parts: Parts, p: Piece): void {
  add(parts, "wood", new CylinderGeometry(0.6, 0.6, 0.05, 32).translate(0, 0.42, 0), p);
  add(parts, "metal", new CylinderGeometry(0.05, 0.2, 0.4, 12).translate(0, 0.2, 0), p);
}

export function dressStore(layout: StoreLayout): Dressing {
  const root = new Group();
  root.name = "dressing";
  const parts: Parts = new Map();
  for (const piece of dressingPlan(layout)) {
    if (piece.kind === "plant") plant(parts, piece);
    else if (piece.kind === "desk") desk(parts, piece);
    else if (piece.kind === "sofa") sofa(parts, piece);
    else table(parts, piece);
  }
  // Ceilings and the linear fixtures under them.
  for (const zone of layout.zones) {
    const b = zone.bounds;
    const w = b.max_x - b.min_x;
    const d = b.max_z - b.min_z;
    const ceiling = new PlaneGeometry(w, d).rotateX(Math.PI / 2);
    ceiling.translate((b.min_x + b.max_x) / 2, b.height, (b.min_z + b.max_z) / 2);
    add(parts, "ceiling", ceiling, { kind: "plant", x: 0, z: 0, rotation: 0 });
    for (let z = b.min_z + FIXTURE_SPACING / 2; z < b.max_z; z += FIXTURE_SPACING) {
      add(parts, "fixture", box(w - 3, 0.04, 0.14, (b.min_x + b.max_x) / 2, b.height - 0.03, z), { kind: "plant", x: 0, z: 0, rotation: 0 });
    }
  }
  const materials: Record<string, Material> = {
    pot: new MeshStandardMaterial({ color: "#2e2c2a", roughness: 0.35 }),
    leaves: new MeshStandardMaterial({ color: "#3d6b3a", roughness: 0.8 }),
    white: new MeshStandardMaterial({ color: "#f4f2ee", roughness: 0.25 }),
    accent: new MeshBasicMaterial({ color: layout.accent_color }),
    fabric: new MeshStandardMaterial({ color: "#4d535c", roughness: 0.95 }),
    cushion: new MeshStandardMaterial({ color: "#c9b79c", roughness: 0.9 }),
    wood: new MeshStandardMaterial({ color: "#6b4a32", roughness: 0.45 }),
    metal: new MeshStandardMaterial({ color: "#8a8d92", roughness: 0.3, metalness: 1 }),
    ceiling: new MeshStandardMaterial({ color: "#34332f", roughness: 0.95 }),
    fixture: new MeshBasicMaterial({ color: "#fff6e8" }),
  };
  const merged: BufferGeometry[] = [];
  for (const [key, list] of parts) {
    const geometry = mergeGeometries(list);
    for (const g of list) g.dispose();
    merged.push(geometry);
    const mesh = new Mesh(geometry, materials[key]);
    mesh.name = `dressing:${key}`;
    // like the floors and turntables: one shader program for every plain surface
    // (software renderers take seconds to compile each physically based one)
    mesh.receiveShadow = true;
    root.add(mesh);
  }
  return {
    root,
    dispose() {
      root.removeFromParent();
      for (const g of merged) g.dispose();
      for (const m of Object.values(materials)) m.dispose();
    },
  };
}
