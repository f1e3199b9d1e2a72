import { describe, expect, it } from "vitest";
import { createShot, framingDistance, overShoulder, threeQuarter } from "./framing";

describe("over-the-shoulder camera", () => {
  it("stands behind and to the right of the avatar and looks the way it faces", () => {
    // yaw 0: the avatar looks along -z, its right is +x
    const shot = overShoulder(0, 0, 0, 0, 0.1, createShot());
    expect(shot.pz).toBeGreaterThan(2.5); // behind
    expect(shot.px).toBeGreaterThan(0.5); // over the right shoulder
    expect(shot.tz).toBeLessThan(-5); // aims ahead, not at the avatar's back
    expect(shot.ty).toBeLessThan(shot.py); // a little from above
  });

  it("keeps the avatar off the centre line, so it does not hide the way ahead", () => {
    const s = overShoulder(0, 0, 0, 0, 0.1, createShot());
    // direction of sight in the ground plane and the avatar's offset from it
    const dx = s.tx - s.px;
    const dz = s.tz - s.pz;
    const len = Math.hypot(dx, dz);
    const sideways = Math.abs((0 - s.px) * dz - (0 - s.pz) * dx) / len;
    expect(sideways).toBeGreaterThan(0.5);
  });

  it("turns with the avatar", () => {
    const s = overShoulder(10, 0, 5, Math.PI / 2, 0, createShot()); // looks along -x
    expect(s.px).toBeGreaterThan(10);
    expect(s.tx).toBeLessThan(10);
  });
});

describe("framing a product beside the configurator panel", () => {
  it("backs off when the panel covers part of the view", () => {
    const open = framingDistance(2.5, 50, 1000, 720, 0);
    const withPanel = framingDistance(2.5, 50, 1000, 720, 400);
    expect(withPanel).toBeGreaterThan(open);
  });

  it("fits the whole product in the visible part of the view", () => {
    const radius = 2.4;
    const d = framingDistance(radius, 50, 1280, 720, 400);
    const visibleHalfWidth = Math.atan(Math.tan((25 * Math.PI) / 180) * (880 / 720));
    expect(Math.asin(radius / d)).toBeLessThan(Math.min(visibleHalfWidth, (25 * Math.PI) / 180));
  });

  it("looks at the product from its front three-quarter, from above", () => {
    const s = threeQuarter(0, 1, 0, 0, 8, createShot());
    expect(s.pz).toBeGreaterThan(4); // in front (products face +z)
    expect(s.px).toBeGreaterThan(2); // off to the side
    expect(s.py).toBeGreaterThan(1);
    expect(Math.hypot(s.px, s.py - 1, s.pz)).toBeCloseTo(8);
  });
});
