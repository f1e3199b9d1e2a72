import { describe, expect, it } from "vitest";
import { adaptQuality, initialQuality, isSoftwareRenderer, ratioFor, TIERS } from "./quality";

describe("quality tiers", () => {
  it("start a first visit at the high tier with the screen's own pixel ratio", () => {
    expect(initialQuality(null, 2)).toEqual({ tier: "high", pixelRatio: 2, fastChecks: 0 });
    expect(initialQuality("nonsense", 1).tier).toBe("high");
    expect(initialQuality("low", 2)).toEqual({ tier: "low", pixelRatio: 0.75, fastChecks: 0 });
  });

  it("start a first visit on a software renderer at the low tier's floor: matte, no environment map, no shadows, no multisampling", () => {
    const q = initialQuality(null, 2, true);
    expect(q).toEqual({ tier: "low", pixelRatio: 0.5, fastChecks: 0 });
    expect(TIERS[q.tier]).toMatchObject({ matte: true, environment: false, shadows: false, antialias: false });
    // a tier measured on an earlier visit is kept, whatever the renderer
    expect(initialQuality("medium", 2, true)).toEqual({ tier: "medium", pixelRatio: 1, fastChecks: 0 });
    // on a GPU the first visit has the full look
    expect(TIERS[initialQuality(null, 2, false).tier]).toMatchObject({ matte: false, environment: true, shadows: true, antialias: true });
  });

  it("recognise software renderers by the names browsers report", () => {
    for (const name of [
      "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
      "Google SwiftShader",
      "llvmpipe (LLVM 15.0.7, 256 bits)",
      "ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)",
      "Mesa OffScreen softpipe",
    ]) expect(isSoftwareRenderer(name), name).toBe(true);
    for (const name of [
      "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)",
      "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)",
      "Apple M2",
      "Adreno (TM) 650",
      "Mali-G78",
    ]) expect(isSoftwareRenderer(name), name).toBe(false);
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
