import { describe, expect, it } from "vitest";
import { avatarPose, createLimbPose } from "./avatarPose";

describe("avatar body language", () => {
  it("walks with legs in opposition and arms swinging against the legs", () => {
    const p = avatarPose(Math.PI / 2, 1.4, false, 0, 0, createLimbPose());
    expect(p.legL).toBeGreaterThan(0.4);
    expect(p.legR).toBeCloseTo(-p.legL);
    expect(Math.sign(p.armL)).toBe(-Math.sign(p.legL));
    expect(p.lift).toBeGreaterThan(0);
  });

  it("stands still when idle, only breathing and swaying a little", () => {
    const p = avatarPose(1.2, 0, false, 3.7, 0.5, createLimbPose());
    expect(p.legL).toBe(0);
    expect(Math.abs(p.armL)).toBeLessThan(0.06);
    expect(p.lift).toBe(0);
    const breaths = [0, 0.5, 1, 1.5].map((t) => avatarPose(0, 0, false, t, 0, createLimbPose()).breathe);
    expect(new Set(breaths).size).toBeGreaterThan(1);
  });

  it("raises a gesturing hand while talking", () => {
    const quiet = avatarPose(0, 0, false, 2, 0, createLimbPose());
    const talking = avatarPose(0, 0, true, 2, 0, createLimbPose());
    expect(talking.armR).toBeGreaterThan(quiet.armR + 0.25);
    expect(talking.armRSide).toBeGreaterThan(quiet.armRSide);
  });
});
