import { describe, expect, it } from "vitest";
import { adaptQuality, initialQuality, ratioFor, TIERS } from "./quality";

describe("quality tiers", () => {
  it("start a first visit at the high tier with the screen's own pixel ratio", () => {
    expect(initialQuality(null, 2)).toEqual({ tier: "high", pixelRatio: 2, fastChecks: 0 });
    expect(initialQuality("nonsense", 1).tier).toBe("high");
    expect(initialQuality("low", 2)).toEqual({ tier: "low", pixelRatio: 0.75, fastChecks: 0 });
  });

  it("honour the device pixel ratio up to the tier's cap", () => {
    expect(ratioFor(TIERS.high, 3)).toBe(2);
    expect(ratioFor(TIERS.high, 1.5)).toBe(1.5);
    expect(ratioFor(TIERS.medium, 2)).toBe(1);
  });

  it("lower the resolution first, then drop shadows, when frames stay slow", () => {
    const q = initialQuality(null, 1);
    const seen = [];
    for (let i = 0; i < 8; i += 1) {
      adaptQuality(q, 90, 1); // slow, not hopeless
      seen.push(`${q.tier}@${q.pixelRatio}`);
    }
    expect(seen).toEqual(["medium@1", "medium@0.875", "medium@0.75", "low@0.75", "low@0.625", "low@0.5", "low@0.5", "low@0.5"]);
    expect(TIERS[q.tier].shadows).toBe(false);
  });

  it("goes straight to the cheapest view when frames take far too long", () => {
    const q = initialQuality(null, 2);
    expect(adaptQuality(q, 900, 2)).toBe(true);
    expect(q).toMatchObject({ tier: "low", pixelRatio: 0.5 });
    expect(TIERS.low.environment).toBe(false);
    expect(adaptQuality(q, 900, 2)).toBe(false); // nothing cheaper left
  });

  it("keeps the tier while frames are within budget", () => {
    const q = initialQuality("medium", 1);
    expect(adaptQuality(q, 30, 1)).toBe(false);
    expect(q).toEqual({ tier: "medium", pixelRatio: 1, fastChecks: 0 });
  });

  it("goes back up only after several fast seconds in a row", () => {
    const q = initialQuality("low", 1);
    q.pixelRatio = 0.5;
    adaptQuality(q, 10, 1);
    adaptQuality(q, 10, 1);
    expect(q).toMatchObject({ tier: "low", pixelRatio: 0.75 });
    adaptQuality(q, 30, 1); // one ordinary second resets the count
    for (let i = 0; i < 4; i += 1) adaptQuality(q, 10, 1);
    expect(q.tier).toBe("low");
    adaptQuality(q, 10, 1);
    expect(q.tier).toBe("medium");
  });
});
