import { describe, expect, it } from "vitest";
import { brandSlugFromPath } from "./storefrontUrl";

describe("brandSlugFromPath", () => {
  it("reads the slug of a storefront URL", () => {
    expect(brandSlugFromPath("/store/aurora-motors")).toBe("aurora-motors");
  });
  it("falls back for other paths and refuses odd slugs", () => {
    expect(brandSlugFromPath("/")).toBe("aurora-motors");
    expect(brandSlugFromPath("/store/../etc")).toBe("aurora-motors");
  });
});
