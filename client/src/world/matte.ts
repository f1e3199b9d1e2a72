/**
 * The low tier's materials: every physically based material in the scene is drawn with
 * a matte (Lambert) stand-in while the tier asks for it, and with its own again when the
 * tier goes up. Under software rendering each physically based shader program takes
 * about a second to compile and most of a frame to shade; the stand-ins share a handful
 * of small programs (plain, textured, transparent) and a fraction of the fragment cost.
 *
 * A stand-in shares its original's colour, emissive colour and texture objects, so the
 * configurator's recolouring (which changes the originals) shows at every tier without
 * copying anything back. Meshes added later (digital twins) are swapped by calling
 * `apply` on them.
 */

import { type Material, type Mesh, MeshLambertMaterial, MeshStandardMaterial, type Object3D } from "three";

export class MatteMaterials {
  /** Drawing the stand-ins now. */
  matte = false;
  private readonly standIns = new Map<Material, MeshLambertMaterial>();
  private readonly originals = new WeakMap<Mesh, Material | Material[]>();

  /** Switches everything under `roots` to the stand-ins (true) or back to the originals. */
  set(matte: boolean, ...roots: Object3D[]): void {
    this.matte = matte;
    for (const root of roots) this.apply(root);
  }

  /** Brings what is under `root` in line with the current choice. */
  apply(root: Object3D): void {
    root.traverse((node) => {
      const mesh = node as Mesh;
      if (!mesh.isMesh) return;
      if (this.matte) {
        if (this.originals.has(mesh)) return;
        const material = mesh.material;
        const list = Array.isArray(material) ? material : [material];
        if (!list.some((m) => m instanceof MeshStandardMaterial)) return;
        this.originals.set(mesh, material);
        mesh.material = Array.isArray(material) ? material.map((m) => this.standIn(m)) : this.standIn(material);
      } else {
        const original = this.originals.get(mesh);
        if (original === undefined) return;
        mesh.material = original;
        this.originals.delete(mesh);
      }
    });
  }

  /** How many distinct stand-ins exist (for tests). */
  get size(): number {
    return this.standIns.size;
  }

  private standIn(material: Material): Material {
    if (!(material instanceof MeshStandardMaterial)) return material;
    let matte = this.standIns.get(material);
    if (!matte) {
      matte = mattePlus(material);
      this.standIns.set(material, matte);
    }
    return matte;
  }

  dispose(): void {
    for (const m of this.standIns.values()) m.dispose();
    this.standIns.clear();
  }
}

/**
 * A Lambert material that looks as much as it can like `source` without specular
 * lighting: same colour and texture (shared objects), transparency, sides and glow.
 * Normal, roughness and metalness maps are left out (each would be another program).
 */
export function mattePlus(source: MeshStandardMaterial): MeshLambertMaterial {
  const m = new MeshLambertMaterial({
    name: source.name,
    map: source.map,
    vertexColors: source.vertexColors,
    transparent: source.transparent,
    opacity: source.opacity,
    side: source.side,
    depthWrite: source.depthWrite,
    depthTest: source.depthTest,
    alphaTest: source.alphaTest,
    visible: source.visible,
    fog: source.fog,
    emissiveIntensity: source.emissiveIntensity,
    emissiveMap: source.emissiveMap,
  });
  // the same objects, so recolouring the original recolours the stand-in
  m.color = source.color;
  m.emissive = source.emissive;
  return m;
}
