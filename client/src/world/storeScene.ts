/**
 * The storefront built from the brand's layout data: a floor per zone, walls with
 * doorways where zones meet, signs, product stands and lights. Nothing about a
 * particular brand is written here; `dispose` frees every geometry, material and
 * texture it created.
 */

import {
  BoxGeometry,
  BufferGeometry,
  CylinderGeometry,
  Group,
  Material,
  Mesh,
  MeshBasicMaterial,
  MeshStandardMaterial,
  Object3D,
  PlaneGeometry,
  Sprite,
  SpriteMaterial,
  Texture,
} from "three";
import type { Stand, StoreLayout } from "../api/brand";
import { localized } from "../i18n";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";
import { dressStore } from "./dressing";
import { floorTexture, signTexture, wallTexture } from "./textures";
import { wallSegments } from "./walls";

const WALL_THICKNESS = 0.2;
const DEG = Math.PI / 180;

export interface StandView {
  stand: Stand;
  /** Where the product model sits (top of the podium). */
  anchor: Group;
  podium: Mesh;
  /** The stand itself, placed and turned as the layout says. */
  group: Group;
  label: Sprite;
}

export interface StoreScene {
  root: Group;
  floors: Mesh[];
  stands: StandView[];
  relabel(): void;
  /** Sharper floors and signs at grazing angles, as far as the tier affords. */
  setAnisotropy(value: number): void;
  dispose(): void;
}

/** Metres of floor one repeat of the floor texture covers (two 1.2 m tiles). */
const TILE_REPEAT = 2.4;
/** Metres of wall one repeat of the panel texture covers. */
const PANEL_WIDTH = 1.5;

export interface StoreOptions {
  /** The brand's name: signs that say it also carry the brand's mark. */
  brandName?: string;
  /** Texture anisotropy the renderer supports (sharper floors and signs at grazing angles). */
  anisotropy?: number;
}

export function buildStore(layout: StoreLayout, options: StoreOptions = {}): StoreScene {
  let anisotropy = options.anisotropy ?? 1;
  const root = new Group();
  root.name = "store";
  const geometries: BufferGeometry[] = [];
  const materials: Material[] = [];
  const textures: Texture[] = [];
  const track = <T extends BufferGeometry>(g: T): T => (geometries.push(g), g);
  const mat = <T extends Material>(m: T): T => (materials.push(m), m);

  const fixed: Texture[] = [];
  // Floors: one thin slab per zone, polished stone tiles in the zone's colour that
  // reflect the environment (and receive the cars' shadows).
  const floors: Mesh[] = [];
  const slab = track(new BoxGeometry(1, 0.1, 1));
  for (const zone of layout.zones) {
    const b = zone.bounds;
    const map = floorTexture(zone.floor_color, anisotropy);
    map.repeat.set((b.max_x - b.min_x) / TILE_REPEAT, (b.max_z - b.min_z) / TILE_REPEAT);
    fixed.push(map);
    const floor = new Mesh(slab, mat(new MeshStandardMaterial({ map, roughness: 0.32, metalness: 0 })));
    floor.receiveShadow = true;
    floor.scale.set(b.max_x - b.min_x, 1, b.max_z - b.min_z);
    floor.position.set((b.min_x + b.max_x) / 2, -0.05, (b.min_z + b.max_z) / 2);
    floor.name = `floor:${zone.name}`;
    floor.userData.zone = zone.name;
    floors.push(floor);
    root.add(floor);
  }

  // Walls (matte panels) and their dark skirting, each merged into one mesh: two draw
  // calls for the whole plan (software renderers pay for every call).
  const wallMap = wallTexture(layout.wall_color);
  fixed.push(wallMap);
  const wallMaterial = mat(new MeshStandardMaterial({ map: wallMap, color: "#d6d2cb", roughness: 0.85 }));
  const skirtingMaterial = mat(new MeshStandardMaterial({ color: "#2a2d33", roughness: 0.5, metalness: 0.2 }));
  const wallPieces: BufferGeometry[] = [];
  const stripePieces: BufferGeometry[] = [];
  for (const seg of wallSegments(layout.zones)) {
    const length = seg.to - seg.from;
    const mid = (seg.from + seg.to) / 2;
    const along = seg.axis === "x";
    const wall = new BoxGeometry(along ? length : WALL_THICKNESS, seg.height, along ? WALL_THICKNESS : length);
    wall.translate(along ? mid : seg.at, seg.height / 2, along ? seg.at : mid);
    worldUvs(wall);
    const stripe = new BoxGeometry(along ? length : WALL_THICKNESS + 0.04, 0.12, along ? WALL_THICKNESS + 0.04 : length);
    stripe.translate(along ? mid : seg.at, 0.06, along ? seg.at : mid);
    wallPieces.push(wall);
    stripePieces.push(stripe);
  }
  if (wallPieces.length) {
    const walls = new Mesh(track(mergeGeometries(wallPieces)), wallMaterial);
    const skirting = new Mesh(track(mergeGeometries(stripePieces)), skirtingMaterial);
    // the same shader programs as the floors and turntables (fewer programs to compile)
    walls.receiveShadow = skirting.receiveShadow = true;
    root.add(walls, skirting);
    for (const piece of [...wallPieces, ...stripePieces]) piece.dispose();
  }

  // Signs: crisp text painted on a plane, facing the way the layout says.
  const signs: { mesh: Mesh; text: Record<string, string | undefined> }[] = [];
  const signGeometry = track(new PlaneGeometry(6, 1.5));
  for (const zone of layout.zones) {
    for (const sign of zone.signs) {
      const material = mat(new MeshBasicMaterial({ transparent: true, toneMapped: false }));
      const mesh = new Mesh(signGeometry, material);
      mesh.position.set(sign.x, sign.y, sign.z);
      mesh.rotation.y = sign.rotation_deg * DEG;
      signs.push({ mesh, text: sign.text });
      root.add(mesh);
    }
  }

  // Stands: a glossy turntable on a dark plinth with a label; the product model goes on `anchor`.
  const stands: StandView[] = [];
  const podiumGeometry = track(new CylinderGeometry(2.6, 2.6, 0.22, 64));
  const podiumMaterial = mat(new MeshStandardMaterial({ color: "#f2f1ee", roughness: 0.18, metalness: 0 }));
  const rimGeometry = track(new CylinderGeometry(2.8, 2.85, 0.12, 64));
  const rimMaterial = mat(new MeshStandardMaterial({ color: "#1f232a", roughness: 0.35, metalness: 0.6 }));
  for (const zone of layout.zones) {
    for (const stand of zone.stands) {
      const group = new Group();
      group.position.set(stand.x, 0, stand.z);
      group.rotation.y = stand.rotation_deg * DEG;
      const podium = new Mesh(podiumGeometry, podiumMaterial);
      podium.position.y = 0.19;
      podium.receiveShadow = true;
      podium.userData.standId = stand.id;
      const rim = new Mesh(rimGeometry, rimMaterial);
      rim.receiveShadow = true;
      rim.position.y = 0.06;
      const anchor = new Group();
      anchor.position.y = 0.3;
      const label = new Sprite(new SpriteMaterial({ depthWrite: false, toneMapped: false }));
      materials.push(label.material);
      label.scale.set(2.2, 0.55, 1);
      label.position.set(0, 3.1, 0);
      group.add(podium, rim, anchor, label);
      root.add(group);
      stands.push({ stand, anchor, podium, label, group });
    }
  }

  // Ceilings, light fixtures, plants and furniture (the lights themselves are the stage's).
  const dressing = dressStore(layout);
  root.add(dressing.root);

  function relabel(): void {
    for (const texture of textures.splice(0)) texture.dispose();
    for (const { mesh, text } of signs) {
      const words = localized(text);
      const texture = signTexture(words, layout.accent_color, words === options.brandName, anisotropy);
      textures.push(texture);
      (mesh.material as MeshBasicMaterial).map = texture;
      (mesh.material as MeshBasicMaterial).needsUpdate = true;
    }
    for (const view of stands) {
      const texture = signTexture(localized(view.stand.label, view.stand.product_slug ?? ""), layout.accent_color, false, anisotropy);
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
    setAnisotropy(value: number) {
      anisotropy = value; // for signs painted again on a change of language
      for (const t of [...fixed, ...textures]) {
        if (t.anisotropy === value) continue;
        t.anisotropy = value;
        t.needsUpdate = true;
      }
    },
    dispose() {
      root.removeFromParent();
      for (const g of geometries) g.dispose();
      for (const m of materials) m.dispose();
      for (const t of textures) t.dispose();
      for (const t of fixed) t.dispose();
      dressing.dispose();
    },
  };
}

/** Texture coordinates from world position (after translation), so wall panels keep their width on every wall. */
function worldUvs(geometry: BufferGeometry): void {
  const pos = geometry.getAttribute("position");
  const uv = geometry.getAttribute("uv");
  for (let i = 0; i < pos.count; i += 1) uv.setXY(i, (pos.getX(i) + pos.getZ(i)) / PANEL_WIDTH, pos.getY(i) / PANEL_WIDTH);
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
