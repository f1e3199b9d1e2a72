import { describe, expect, it } from "vitest";
import type { StoreLayout, Zone } from "../api/brand";
import { roomAhead } from "./rooms";

const zone = (name: string, min_x: number, min_z: number, max_x: number, max_z: number): Zone => ({
  name, title: { en: name }, bounds: { min_x, min_z, max_x, max_z, height: 4 }, capacity: 50,
  floor_color: "#cccccc", spawn: null, stands: [], signs: [],
});
const layout: StoreLayout = {
  zones: [zone("entrance", -8, 10, 8, 22), zone("showroom", -20, -20, 20, 10)],
  wall_color: "#ffffff",
  accent_color: "#000000",
};
const entrance = [-8, 0, 10, 8, 4, 22] as const;
const forward = { forward: 1, strafe: 0, turn: 0 };
const still = { forward: 0, strafe: 0, turn: 0 };
const noTarget = { active: false, x: 0, z: 0 };

describe("walking into the next room", () => {
  it("finds the zone beyond the edge the avatar walks against", () => {
    expect(roomAhead(layout, "entrance", entrance, { x: 0, y: 0, z: 10.3, yaw: 0 }, forward, noTarget)).toBe("showroom");
  });

  it("stays put in the middle of a room, when standing, or facing a wall with nothing behind", () => {
    expect(roomAhead(layout, "entrance", entrance, { x: 0, y: 0, z: 15, yaw: 0 }, forward, noTarget)).toBeNull();
    expect(roomAhead(layout, "entrance", entrance, { x: 0, y: 0, z: 10.3, yaw: 0 }, still, noTarget)).toBeNull();
    expect(roomAhead(layout, "entrance", entrance, { x: 0, y: 0, z: 21.7, yaw: Math.PI }, forward, noTarget)).toBeNull();
  });

  it("follows a click-to-walk target too", () => {
    const target = { active: true, x: 0, z: 5 };
    expect(roomAhead(layout, "entrance", entrance, { x: 0, y: 0, z: 10.4, yaw: 2 }, still, target)).toBe("showroom");
  });
});
