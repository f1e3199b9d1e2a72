import { describe, expect, it } from "vitest";
import { humanoidParts, trianglesPerPerson } from "./humanoid";

describe("humanoid levels of detail", () => {
  it("draw people far from the camera with a fraction of the triangles", () => {
    const near = trianglesPerPerson(humanoidParts("near"));
    const far = trianglesPerPerson(humanoidParts("far"));
    expect(far).toBeLessThan(near / 4);
    expect(far).toBeGreaterThan(100); // still a body, a head and limbs
  });

  it("give both levels the same attributes, so one shader program draws either", () => {
    const near = humanoidParts("near");
    const far = humanoidParts("far");
    for (const key of ["torso", "hips", "leg", "arm", "head"] as const) {
      expect(Object.keys(far[key].attributes).sort()).toEqual(Object.keys(near[key].attributes).sort());
      // the same joints: a far leg is as long as a near one
      far[key].computeBoundingBox();
      near[key].computeBoundingBox();
      expect(far[key].boundingBox!.min.y).toBeCloseTo(near[key].boundingBox!.min.y, 1);
      expect(far[key].boundingBox!.max.y).toBeCloseTo(near[key].boundingBox!.max.y, 1);
    }
  });
});
