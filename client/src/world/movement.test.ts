import { describe, expect, it } from "vitest";
import { stepLocal, walkSpeed, type Bounds } from "./movement";

const room: Bounds = [-10, 0, -10, 10, 4, 10];
const still = { forward: 0, strafe: 0, turn: 0 };

describe("local prediction", () => {
  it("walks forward along -z at yaw 0 and strafes right along +x", () => {
    const pose = { x: 0, y: 0, z: 0, yaw: 0 };
    const target = { active: false, x: 0, z: 0 };
    stepLocal(pose, { forward: 1, strafe: 0, turn: 0 }, target, 0.5, 2, room);
    expect(pose.z).toBeCloseTo(-1);
    expect(pose.x).toBeCloseTo(0);
    stepLocal(pose, { forward: 0, strafe: 1, turn: 0 }, target, 0.5, 2, room);
    expect(pose.x).toBeCloseTo(1);
  });

  it("never goes faster diagonally, and stays inside the room", () => {
    const pose = { x: 0, y: 0, z: 0, yaw: 0.7 };
    const target = { active: false, x: 0, z: 0 };
    stepLocal(pose, { forward: 1, strafe: 1, turn: 0 }, target, 1, 3, room);
    expect(Math.hypot(pose.x, pose.z)).toBeCloseTo(3);
    for (let i = 0; i < 100; i += 1) stepLocal(pose, { forward: 1, strafe: 0, turn: 0 }, target, 0.1, 3, room);
    expect(pose.x).toBeGreaterThanOrEqual(-9.7);
    expect(pose.z).toBeGreaterThanOrEqual(-9.7);
  });

  it("walks to a clicked point, facing it, and stops there", () => {
    const pose = { x: 0, y: 0, z: 0, yaw: 0 };
    const target = { active: true, x: 3, z: 4 };
    let steps = 0;
    while (target.active && steps < 1000) {
      stepLocal(pose, still, target, 1 / 60, 3, room);
      steps += 1;
    }
    expect(target.active).toBe(false);
    expect(Math.hypot(pose.x - 3, pose.z - 4)).toBeLessThan(0.16);
    expect(steps).toBeGreaterThan(95); // 5 m at 3 m/s is at least 100 frames
    expect(stepLocal(pose, still, target, 1 / 60, 3, room)).toBe(false);
  });

  it("lets the keys take over from click-to-walk", () => {
    const pose = { x: 0, y: 0, z: 0, yaw: 0 };
    const target = { active: true, x: 5, z: 5 };
    stepLocal(pose, { forward: 1, strafe: 0, turn: 0 }, target, 0.1, 3, room);
    expect(target.active).toBe(false);
  });

  it("walks comfortably below the server's limit", () => {
    expect(walkSpeed(5)).toBeLessThan(5);
    expect(walkSpeed(2)).toBeCloseTo(1.6);
  });
});
