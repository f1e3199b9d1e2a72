/**
 * The storefront built from the brand's layout data: a floor per zone, walls with
 * doorways where zones meet, signs, product stands and lights. Nothing about a
 * particular brand is written here; `dispose` frees every geometry, material and
 * texture it created.
 */

import {
  AmbientLight,
  BoxGeometry,
  BufferGeometry,
  CylinderGeometry,
  DirectionalLight,
  Group,
  HemisphereLight,
  Material,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  Object3D,
  PlaneGeometry,
  Sprite,
  SpriteMaterial,
  Texture,
} from "three";
import type { Stand, StoreLayout } from "../api/brand";
import { localized } from "../i18n";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";
import { labelTexture } from "./avatarViews";
import { wallSegments } from "./walls";

const WALL_THICKNESS = 0.2;
const DEG = Math.PI / 180;

export interface StandView {
  stand: Stand;
  /** Where the product model sits (top of the podium). */
  anchor: Group;
  podium: Mesh;
  label: Sprite;
}

export interface StoreScene {
  root: Group;
  floors: Mesh[];
  stands: StandView[];
  relabel(): void;
  dispose(): void;
}

export function buildStore(layout: StoreLayout): StoreScene {
  const root = new Group();
  root.name = "store";
  const geometries: BufferGeometry[] = [];
  const materials: Material[] = [];
  const textures: Texture[] = [];
  const track = <T extends BufferGeometry>(g: T): T => (geometries.push(g), g);
  const mat = <T extends Material>(m: T): T => (materials.push(m), m);

  // Floors: one thin slab per zone, in the zone's colour.
  const floors: Mesh[] = [];
  const slab = track(new BoxGeometry(1, 0.1, 1));
  for (const zone of layout.zones) {
    const b = zone.bounds;
    const floor = new Mesh(slab, mat(new MeshLambertMaterial({ color: zone.floor_color })));
    floor.scale.set(b.max_x - b.min_x, 1, b.max_z - b.min_z);
    floor.position.set((b.min_x + b.max_x) / 2, -0.05, (b.min_z + b.max_z) / 2);
    floor.name = `floor:${zone.name}`;
    floor.userData.zone = zone.name;
    floors.push(floor);
    root.add(floor);
  }

  // Walls and their accent skirting line, each merged into one mesh: two draw calls
  // for the whole plan (software renderers pay for every call).
  const wallMaterial = mat(new MeshLambertMaterial({ color: layout.wall_color }));
  const accentMaterial = mat(new MeshBasicMaterial({ color: layout.accent_color }));
  const wallPieces: BufferGeometry[] = [];
  const stripePieces: BufferGeometry[] = [];
  for (const seg of wallSegments(layout.zones)) {
    const length = seg.to - seg.from;
    const mid = (seg.from + seg.to) / 2;
    const along = seg.axis === "x";
    const wall = new BoxGeometry(along ? length : WALL_THICKNESS, seg.height, along ? WALL_THICKNESS : length);
    wall.translate(along ? mid : seg.at, seg.height / 2, along ? seg.at : mid);
    const stripe = new BoxGeometry(along ? length : WALL_THICKNESS + 0.04, 0.15, along ? WALL_THICKNESS + 0.04 : length);
    stripe.translate(along ? mid : seg.at, 0.3, along ? seg.at : mid);
    wallPieces.push(wall);
    stripePieces.push(stripe);
  }
  if (wallPieces.length) {
    root.add(new Mesh(track(mergeGeometries(wallPieces)), wallMaterial), new Mesh(track(mergeGeometries(stripePieces)), accentMaterial));
    for (const piece of [...wallPieces, ...stripePieces]) piece.dispose();
  }

  // Signs: text painted on a plane, facing the way the layout says.
  const signs: { mesh: Mesh; text: Record<string, string | undefined> }[] = [];
  const signGeometry = track(new PlaneGeometry(6, 1.5));
  for (const zone of layout.zones) {
    for (const sign of zone.signs) {
      const material = mat(new MeshBasicMaterial({ transparent: true }));
      const mesh = new Mesh(signGeometry, material);
      mesh.position.set(sign.x, sign.y, sign.z);
      mesh.rotation.y = sign.rotation_deg * DEG;
      signs.push({ mesh, text: sign.text });
      root.add(mesh);
    }
  }

  // Stands: a podium in the accent colour with a label; the product model goes on `anchor`.
  const stands: StandView[] = [];
  const podiumGeometry = track(new CylinderGeometry(2.6, 2.8, 0.3, 40));
  const podiumMaterial = mat(new MeshLambertMaterial({ color: "#f7f7f7" }));
  const rimGeometry = track(new CylinderGeometry(2.82, 2.82, 0.06, 40));
  for (const zone of layout.zones) {
    for (const stand of zone.stands) {
      const group = new Group();
      group.position.set(stand.x, 0, stand.z);
      group.rotation.y = stand.rotation_deg * DEG;
      const podium = new Mesh(podiumGeometry, podiumMaterial);
      podium.position.y = 0.15;
      podium.userData.standId = stand.id;
      const rim = new Mesh(rimGeometry, accentMaterial);
      rim.position.y = 0.05;
      const anchor = new Group();
      anchor.position.y = 0.3;
      const label = new Sprite(new SpriteMaterial({ depthWrite: false }));
      materials.push(label.material);
      label.scale.set(2.4, 0.6, 1);
      label.position.set(0, 3.2, 0);
      group.add(podium, rim, anchor, label);
      root.add(group);
      stands.push({ stand, anchor, podium, label });
    }
  }

  const hemi = new HemisphereLight("#ffffff", "#b0a898", 1.6);
  const ambient = new AmbientLight("#ffffff", 0.35);
  const sun = new DirectionalLight("#ffffff", 1.4);
  sun.position.set(10, 20, 12);
  root.add(hemi, ambient, sun);

  function relabel(): void {
    for (const texture of textures.splice(0)) texture.dispose();
    for (const { mesh, text } of signs) {
      const texture = labelTexture(localized(text), layout.accent_color);
      textures.push(texture);
      (mesh.material as MeshBasicMaterial).map = texture;
      (mesh.material as MeshBasicMaterial).needsUpdate = true;
    }
    for (const view of stands) {
      const texture = labelTexture(localized(view.stand.label, view.stand.product_slug ?? ""), "#222831");
      textures.push(texture);
      view.label.material.map = texture;
      view.label.material.needsUpdate = true;
    }
  }
  relabel();

  return {
    root,
    floors,
    stands,
    relabel,
    dispose() {
      root.removeFromParent();
      for (const g of geometries) g.dispose();
      for (const m of materials) m.dispose();
      for (const t of textures) t.dispose();
    },
  };
}

/** Frees what a loaded model owns (used for glTF twins). */
export function disposeObject(object: Object3D): void {
  object.traverse((node) => {
    const mesh = node as Mesh;
    if (!mesh.isMesh) return;
    mesh.geometry.dispose();
    const list = Array.isArray(mesh.material) ? mesh.material : [mesh.material];
    for (const material of list) {
      for (const value of Object.values(material)) if (value instanceof Texture) value.dispose();
      material.dispose();
    }
  });
  object.removeFromParent();
}
