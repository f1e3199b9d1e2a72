import { describe, expect, it } from "vitest";
import type { Zone } from "../api/brand";
import { DOORWAY_WIDTH, doorways, wallSegments } from "./walls";

const zone = (name: string, min_x: number, min_z: number, max_x: number, max_z: number, height = 5): Zone => ({
  name, title: { en: name }, bounds: { min_x, min_z, max_x, max_z, height }, capacity: 50,
  floor_color: "#cccccc", spawn: null, stands: [], signs: [],
});

// The Aurora Motors plan: entrance south of the showroom, lounge east of it.
const aurora = [zone("entrance", -8, 10, 8, 22), zone("showroom", -20, -20, 20, 10, 7), zone("lounge", 20, -20, 34, 0)];

describe("walls from the floor plan", () => {
  it("leave a doorway where zones meet", () => {
    const doors = doorways(aurora);
    expect(doors).toHaveLength(2);
    expect(doors).toContainEqual(expect.objectContaining({ axis: "x", at: 10, from: -3, to: 3 }));
    expect(doors).toContainEqual(expect.objectContaining({ axis: "z", at: 20, from: -13, to: -7 }));
  });

  it("draw shared edges once and never across a doorway", () => {
    const walls = wallSegments(aurora);
    const line = walls.filter((w) => w.axis === "x" && w.at === 10).sort((a, b) => a.from - b.from);
    expect(line.map((w) => [w.from, w.to])).toEqual([[-20, -3], [3, 20]]);
    for (const a of walls) {
      for (const b of walls) {
        if (a === b || a.axis !== b.axis || a.at !== b.at) continue;
        expect(a.to <= b.from || b.to <= a.from).toBe(true); // no overlap, so no z-fighting
      }
    }
  });

  it("close a lone zone on all four sides", () => {
    const walls = wallSegments([zone("solo", 0, 0, 4, 6, 3)]);
    expect(walls).toHaveLength(4);
    expect(walls.reduce((sum, w) => sum + (w.to - w.from), 0)).toBe(20);
    expect(walls.every((w) => w.height === 3)).toBe(true);
  });

  it("open the whole shared stretch when it is narrower than a doorway", () => {
    const doors = doorways([zone("a", 0, 0, 4, 4), zone("b", 1, 4, 3, 8)]);
    expect(doors).toEqual([expect.objectContaining({ axis: "x", at: 4, from: 1, to: 3 })]);
    expect(3 - 1).toBeLessThan(DOORWAY_WIDTH);
  });
});
