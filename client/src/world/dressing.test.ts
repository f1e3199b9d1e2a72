import { describe, expect, it } from "vitest";
import type { StoreLayout, Zone } from "../api/brand";
import { dressingPlan } from "./dressing";

function zone(name: string, min_x: number, min_z: number, max_x: number, max_z: number): Zone {
  return { name, title: {}, bounds: { min_x, min_z, max_x, max_z, height: 5 }, capacity: 10, floor_color: "#cccccc", spawn: null, stands: [], signs: [] };
}

const layout: StoreLayout = {
  wall_color: "#ffffff",
  accent_color: "#0a6cff",
  zones: [zone("entrance", -8, 10, 8, 22), zone("showroom", -20, -20, 20, 10), zone("lounge", 20, -20, 34, 0)],
};

describe("store dressing", () => {
  const plan = dressingPlan(layout);

  it("puts a plant in every corner of every zone, inside the walls", () => {
    const plants = plan.filter((p) => p.kind === "plant");
    expect(plants).toHaveLength(12);
    for (const p of plants) {
      const inside = layout.zones.some((z) => p.x > z.bounds.min_x && p.x < z.bounds.max_x && p.z > z.bounds.min_z && p.z < z.bounds.max_z);
      expect(inside).toBe(true);
    }
  });

  it("furnishes the lounge with seating and the entrance with a desk", () => {
    const inZone = (name: string, kind: string) => {
      const b = layout.zones.find((z) => z.name === name)!.bounds;
      return plan.filter((p) => p.kind === kind && p.x > b.min_x && p.x < b.max_x && p.z > b.min_z && p.z < b.max_z);
    };
    expect(inZone("lounge", "sofa")).toHaveLength(2);
    expect(inZone("lounge", "table")).toHaveLength(1);
    expect(inZone("entrance", "desk")).toHaveLength(1);
    expect(inZone("showroom", "sofa")).toHaveLength(0); // the cars keep their space
  });

  it("keeps the entrance desk off the spawn-to-showroom path", () => {
    const desk = plan.find((p) => p.kind === "desk")!;
    expect(Math.abs(desk.x)).toBeGreaterThan(3);
  });
});
