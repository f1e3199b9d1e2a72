import { describe, expect, it } from "vitest";
import { SampleBuffer, angleDelta, interpolationDelay, type Pose } from "./interpolation";

const pose = (): Pose => ({ x: 0, y: 0, z: 0, yaw: 0 });

describe("buffered interpolation", () => {
  it("draws an avatar between the two snapshots around the render time", () => {
    const buffer = new SampleBuffer(8);
    buffer.push(1.0, 0, 0, 0, 0);
    buffer.push(1.1, 1, 0, -2, 0);
    const out = pose();
    buffer.sample(1.05, out);
    expect(out.x).toBeCloseTo(0.5);
    expect(out.z).toBeCloseTo(-1);
  });

  it("holds the newest pose instead of guessing past it, and the oldest before it", () => {
    const buffer = new SampleBuffer(8);
    buffer.push(1, 0, 0, 0, 0);
    buffer.push(2, 4, 0, 0, 0);
    const out = pose();
    buffer.sample(5, out);
    expect(out.x).toBe(4);
    buffer.sample(0, out);
    expect(out.x).toBe(0);
  });

  it("turns the short way round", () => {
    const buffer = new SampleBuffer(4);
    buffer.push(0, 0, 0, 0, Math.PI - 0.1);
    buffer.push(1, 0, 0, 0, -Math.PI + 0.1);
    const out = pose();
    buffer.sample(0.5, out);
    expect(Math.abs(angleDelta(out.yaw, Math.PI))).toBeLessThan(1e-9);
  });

  it("starts moving from where an idle avatar stood, not stretched over the pause", () => {
    const buffer = new SampleBuffer(8);
    buffer.push(0, 0, 0, 0, 0, 0.075, 0.05);
    buffer.push(10, 1, 0, 0, 0, 0.075, 0.05); // stood still for 10 s, then moved 1 m in a tick
    const out = pose();
    buffer.sample(5, out);
    expect(out.x).toBe(0);
    buffer.sample(9.975, out);
    expect(out.x).toBeCloseTo(0.5);
  });

  it("keeps only the newest samples and drops out-of-order ones", () => {
    const buffer = new SampleBuffer(3);
    for (let i = 0; i < 10; i += 1) buffer.push(i, i, 0, 0, 0);
    buffer.push(4, 99, 0, 0, 0);
    expect(buffer.count).toBe(3);
    const out = pose();
    buffer.sample(8.5, out);
    expect(out.x).toBeCloseTo(8.5);
    buffer.sample(0, out);
    expect(out.x).toBe(7);
  });

  it("lags two and a half ticks behind, at least 100 ms", () => {
    expect(interpolationDelay(20)).toBeCloseTo(0.125);
    expect(interpolationDelay(60)).toBe(0.1);
  });
});
