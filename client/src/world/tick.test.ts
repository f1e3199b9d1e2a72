import { describe, expect, it } from "vitest";
import { median } from "./tick";

describe("frame figures", () => {
  it("take the median of the samples recorded so far", () => {
    expect(median(new Float32Array([5, 1, 3, 0, 0]), 3)).toBe(3);
    expect(median(new Float32Array([4, 2, 8, 6]), 4)).toBe(5);
    expect(median(new Float32Array(4), 0)).toBe(0);
  });
});
