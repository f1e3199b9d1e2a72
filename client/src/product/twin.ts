/**
 * A product's digital twin in the scene: the catalog's glTF, scaled onto its stand,
 * with its own copies of the materials so recolouring one twin never changes another.
 * The configurator's look is applied from the recorded original state every time.
 */

import { Box3, Color, Group, LOD, Material, Mesh, MeshStandardMaterial, Object3D, Vector3 } from "three";
import type { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import type { TwinLook } from "./configurator";
import { disposeObject } from "../world/storeScene";

/** The node a twin may carry beside its detailed parts: the same object, simplified, for distance. */
export const LOD_NODE = "lod1";

export interface Twin {
  root: Group;
  /** Switches between the detailed model and its simplified level (null without one). */
  lod: LOD | null;
  /** Material name -> the twin's own materials with that name. */
  materials: Map<string, MeshStandardMaterial[]>;
  /** Node name -> nodes with that name. */
  nodes: Map<string, Object3D[]>;
  originalColor: Map<MeshStandardMaterial, string>;
  originalVisible: Map<Object3D, boolean>;
}

// The loader is a chunk of its own, fetched once the visitor can already move.
let loader: Promise<GLTFLoader> | null = null;
function gltfLoader(): Promise<GLTFLoader> {
  loader ??= import("three/examples/jsm/loaders/GLTFLoader.js").then((m) => new m.GLTFLoader());
  return loader;
}

/**
 * Loads the model at `url`, standing on y = 0, shrunk to `size` metres if it is larger.
 * When the file carries a simplified level (a root node named LOD_NODE), it is drawn
 * instead of the detailed parts beyond `lodDistance` metres.
 */
export async function loadTwin(url: string, size: number, lodDistance = Infinity): Promise<Twin> {
  const gltf = await (await gltfLoader()).loadAsync(url);
  const model = gltf.scene;
  const root = new Group();
  root.name = "twin";
  root.add(model);
  const simplified = model.children.find((c) => c.name === LOD_NODE) ?? null;
  let lod: LOD | null = null;
  if (simplified) {
    const detail = new Group();
    detail.name = "detail";
    detail.add(...model.children.filter((c) => c !== simplified));
    lod = new LOD();
    lod.addLevel(detail, 0);
    lod.addLevel(simplified, lodDistance);
    model.add(lod);
  }
  const box = new Box3().setFromObject(model);
  const extent = box.getSize(new Vector3());
  const longest = Math.max(extent.x, extent.z, extent.y * 0.8, 1e-3);
  const scale = longest > size ? size / longest : 1;
  model.scale.setScalar(scale);
  const centre = box.getCenter(new Vector3());
  model.position.set(-centre.x * scale, -box.min.y * scale, -centre.z * scale);
  const twin: Twin = { root, lod, materials: new Map(), nodes: new Map(), originalColor: new Map(), originalVisible: new Map() };
  const copies = new Map<Material, Material>();
  model.traverse((node) => {
    if (node.name && node !== simplified) {
      const list = twin.nodes.get(node.name) ?? [];
      list.push(node);
      twin.nodes.set(node.name, list);
      twin.originalVisible.set(node, node.visible);
    }
    const mesh = node as Mesh;
    if (!mesh.isMesh) return;
    mesh.castShadow = true;
    const own = (m: Material): Material => {
      let copy = copies.get(m);
      if (!copy) {
        copy = m.clone();
        copies.set(m, copy);
        finish(copy);
        if (copy instanceof MeshStandardMaterial) {
          const named = twin.materials.get(copy.name) ?? [];
          named.push(copy);
          twin.materials.set(copy.name, named);
          twin.originalColor.set(copy, `#${copy.color.getHexString()}`);
        }
      }
      return copy;
    };
    mesh.material = Array.isArray(mesh.material) ? mesh.material.map(own) : own(mesh.material);
  });
  return twin;
}

/**
 * Touches glTF cannot express: glass does not hide what is behind it from the depth
 * buffer (the interior shows through), and glass and paint take the environment's
 * reflections a little stronger, as a showroom's lights do on lacquer.
 */
function finish(material: Material): void {
  if (!(material instanceof MeshStandardMaterial)) return;
  if (material.transparent) material.depthWrite = false;
  if (material.name === "glass" || material.name === "paint") material.envMapIntensity = 1.35;
}

/** Beyond this many metres a twin is drawn at its simplified level. */
export function setLodDistance(twin: Twin, distance: number): void {
  if (twin.lod && twin.lod.levels[1]) twin.lod.levels[1].distance = distance;
}

const scratch = new Color();

function meshMaterials(node: Object3D, out: Set<MeshStandardMaterial>): void {
  node.traverse((child) => {
    const mesh = child as Mesh;
    if (!mesh.isMesh) return;
    for (const m of Array.isArray(mesh.material) ? mesh.material : [mesh.material]) {
      if (m instanceof MeshStandardMaterial) out.add(m);
    }
  });
}

/** Restores the model, then recolours, hides and shows what the chosen options say. */
export function applyLook(twin: Twin, look: TwinLook): void {
  for (const [material, color] of twin.originalColor) material.color.set(color);
  for (const [node, visible] of twin.originalVisible) node.visible = visible;
  for (const [target, color] of look.colors) {
    const targets = new Set<MeshStandardMaterial>(twin.materials.get(target) ?? []);
    for (const node of twin.nodes.get(target) ?? []) meshMaterials(node, targets);
    for (const material of targets) material.color.set(scratch.set(color));
  }
  for (const name of look.hidden) for (const node of twin.nodes.get(name) ?? []) node.visible = false;
  for (const name of look.shown) for (const node of twin.nodes.get(name) ?? []) node.visible = true;
}

/** "#rrggbb" of a material (or of the first material under a node) of that name. */
export function materialColor(twin: Twin, name: string): string | null {
  const material = twin.materials.get(name)?.[0];
  if (material) return `#${material.color.getHexString()}`;
  const found = new Set<MeshStandardMaterial>();
  for (const node of twin.nodes.get(name) ?? []) meshMaterials(node, found);
  const first = found.values().next().value;
  return first ? `#${first.color.getHexString()}` : null;
}

export function isVisible(twin: Twin, name: string): boolean | null {
  const node = twin.nodes.get(name)?.[0];
  if (!node) return null;
  let visible = true;
  node.traverseAncestors((a) => (visible &&= a.visible));
  return visible && node.visible;
}

/** World position of a named part (for hotspots), written into `out`. */
export function partPosition(twin: Twin, name: string, out: Vector3): boolean {
  const node = twin.nodes.get(name)?.[0];
  if (!node) return false;
  new Box3().setFromObject(node).getCenter(out);
  if (!Number.isFinite(out.x)) node.getWorldPosition(out);
  return true;
}

export function disposeTwin(twin: Twin): void {
  disposeObject(twin.root);
}
