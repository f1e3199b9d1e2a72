import { describe, expect, it } from "vitest";
import { BoxGeometry, DoubleSide, Group, Mesh, MeshBasicMaterial, MeshLambertMaterial, MeshStandardMaterial, Texture } from "three";
import { MatteMaterials } from "./matte";

function scene(): { root: Group; floor: Mesh; paint: Mesh; glass: Mesh; sign: Mesh; shared: Mesh } {
  const root = new Group();
  const box = new BoxGeometry();
  const paintMaterial = new MeshStandardMaterial({ name: "paint", color: "#3050a0", metalness: 0.6, roughness: 0.2 });
  const floor = new Mesh(box, new MeshStandardMaterial({ map: new Texture(), roughness: 0.3 }));
  const paint = new Mesh(box, paintMaterial);
  const shared = new Mesh(box, paintMaterial);
  const glass = new Mesh(box, new MeshStandardMaterial({ name: "glass", transparent: true, opacity: 0.3, side: DoubleSide, depthWrite: false }));
  const sign = new Mesh(box, new MeshBasicMaterial({ transparent: true }));
  root.add(floor, paint, shared, glass, sign);
  return { root, floor, paint, glass, sign, shared };
}

describe("matte stand-ins for the low tier", () => {
  it("replace physically based materials with matte ones that keep colour, texture and transparency", () => {
    const s = scene();
    const originalFloor = s.floor.material as MeshStandardMaterial;
    const matte = new MatteMaterials();
    matte.set(true, s.root);
    const floor = s.floor.material as MeshLambertMaterial;
    expect(floor).toBeInstanceOf(MeshLambertMaterial);
    expect(floor.map).toBe(originalFloor.map);
    const glass = s.glass.material as MeshLambertMaterial;
    expect(glass).toMatchObject({ transparent: true, opacity: 0.3, side: DoubleSide, depthWrite: false, name: "glass" });
    expect(s.sign.material).toBeInstanceOf(MeshBasicMaterial); // already cheap: left alone
    // one stand-in per original material, shared by its meshes
    expect(s.shared.material).toBe(s.paint.material);
    expect(matte.size).toBe(3);
  });

  it("follow the configurator's recolouring of the original and give the originals back", () => {
    const s = scene();
    const original = s.paint.material as MeshStandardMaterial;
    const matte = new MatteMaterials();
    matte.set(true, s.root);
    original.color.set("#b3121f"); // what applyLook does to the twin's own material
    expect((s.paint.material as MeshLambertMaterial).color.getHexString()).toBe("b3121f");
    matte.set(false, s.root);
    expect(s.paint.material).toBe(original);
    expect(s.floor.material).toBeInstanceOf(MeshStandardMaterial);
    matte.set(true, s.root);
    matte.set(true, s.root); // twice: still the stand-in, not a stand-in's stand-in
    expect(s.paint.material).toBeInstanceOf(MeshLambertMaterial);
    expect(matte.size).toBe(3);
  });

  it("swap what is added later (a digital twin) only while the tier is matte", () => {
    const matte = new MatteMaterials();
    const twin = scene();
    matte.apply(twin.root);
    expect(twin.paint.material).toBeInstanceOf(MeshStandardMaterial);
    matte.matte = true;
    matte.apply(twin.root);
    expect(twin.paint.material).toBeInstanceOf(MeshLambertMaterial);
  });
});
