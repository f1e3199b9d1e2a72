import { describe, expect, it } from "vitest";
import { median, nextPixelRatio } from "./tick";

describe("frame figures", () => {
  it("take the median of the samples recorded so far", () => {
    expect(median(new Float32Array([5, 1, 3, 0, 0]), 3)).toBe(3);
    expect(median(new Float32Array([4, 2, 8, 6]), 4)).toBe(5);
    expect(median(new Float32Array(4), 0)).toBe(0);
  });
});

describe("adaptive resolution", () => {
  it("renders fewer pixels while frames are slow, never below half", () => {
    let ratio = 1;
    for (let i = 0; i < 10; i += 1) ratio = nextPixelRatio(ratio, 80, 1);
    expect(ratio).toBe(0.5);
  });

  it("goes back up with headroom, never above the screen's ratio", () => {
    let ratio = 0.5;
    for (let i = 0; i < 10; i += 1) ratio = nextPixelRatio(ratio, 10, 1);
    expect(ratio).toBe(1);
    expect(nextPixelRatio(0.75, 24, 1)).toBe(0.75); // in between: stay
  });
});
