/**
 * Quality tiers: what the 3D view may spend per frame, chosen from measured frame
 * times rather than guessed from the device. A tier caps the pixel ratio (the device's
 * ratio is honoured up to that cap), turns the shadow map on or off and sets how near a
 * twin must be to be drawn in full detail. Pure logic, tested without WebGL.
 */

export type TierName = "high" | "medium" | "low";

export interface Tier {
  readonly name: TierName;
  /** The device pixel ratio is used up to this cap. */
  readonly maxPixelRatio: number;
  /** How far the ratio may drop inside the tier before the tier itself drops. */
  readonly minPixelRatio: number;
  readonly shadows: boolean;
  readonly shadowMapSize: number;
  /** Metres from the camera beyond which a twin is drawn at its simplified level. */
  readonly lodDistance: number;
  /** Metres from the camera beyond which people are drawn with their coarser parts (a fifth of the triangles). */
  readonly crowdLodDistance: number;
  /** Multisampling is a context attribute: it only follows the tier on the next visit. */
  readonly antialias: boolean;
  /** Image-based lighting: the environment map's lookups are most of a software renderer's fragment cost. */
  readonly environment: boolean;
  /** Texture anisotropy for floors and signs (software renderers pay a lot for it). */
  readonly anisotropy: number;
  /** Matte (Lambert) stand-ins for the physically based materials: fewer, smaller shader programs, cheaper pixels. */
  readonly matte: boolean;
}

export const TIERS: Readonly<Record<TierName, Tier>> = {
  high: { name: "high", maxPixelRatio: 2, minPixelRatio: 1, shadows: true, shadowMapSize: 2048, lodDistance: 30, crowdLodDistance: 14, antialias: true, environment: true, anisotropy: 8, matte: false },
  medium: { name: "medium", maxPixelRatio: 1, minPixelRatio: 0.75, shadows: true, shadowMapSize: 1024, lodDistance: 16, crowdLodDistance: 9, antialias: true, environment: true, anisotropy: 4, matte: false },
  low: { name: "low", maxPixelRatio: 0.75, minPixelRatio: 0.5, shadows: false, shadowMapSize: 512, lodDistance: 9, crowdLodDistance: 5, antialias: false, environment: false, anisotropy: 1, matte: true },
};

const ORDER: readonly TierName[] = ["low", "medium", "high"];

/** Median frame interval above which the view gets cheaper (about 25 frames a second). */
export const SLOW_MS = 40;
/** Below this the view may get richer again. */
export const FAST_MS = 20;
/** Frames this slow (a software renderer) go straight to the low tier's floor: stepping down would take many seconds. */
export const HOPELESS_MS = 150;
/** Seconds of fast frames in a row before the tier goes up (so it does not oscillate). */
const SECONDS_BEFORE_UP = 5;

export interface Quality {
  tier: TierName;
  pixelRatio: number;
  /** Consecutive one-second checks with fast frames. */
  fastChecks: number;
}

export function isTierName(value: unknown): value is TierName {
  return value === "high" || value === "medium" || value === "low";
}

/**
 * Renderers that draw on the CPU (SwiftShader, llvmpipe, Windows' basic render driver):
 * there every shader program takes a second to compile and every pixel costs what a
 * GPU does in parallel, so a first visit starts at the low tier instead of compiling
 * the high tier's physically based programs only to drop them seconds later.
 */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render driver|gdi generic/i.test(renderer);
}

/**
 * A later visit starts where the last one ended (a measured tier); a first visit starts
 * at the high tier on a GPU, and at the low tier's floor on a software renderer.
 */
export function initialQuality(stored: string | null, devicePixelRatio: number, software = false): Quality {
  if (isTierName(stored)) return { tier: stored, pixelRatio: ratioFor(TIERS[stored], devicePixelRatio), fastChecks: 0 };
  if (software) return { tier: "low", pixelRatio: TIERS.low.minPixelRatio, fastChecks: 0 };
  return { tier: "high", pixelRatio: ratioFor(TIERS.high, devicePixelRatio), fastChecks: 0 };
}

/** The device's ratio, capped by the tier (never below its floor, so text stays legible). */
export function ratioFor(tier: Tier, devicePixelRatio: number): number {
  return Math.max(tier.minPixelRatio, Math.min(tier.maxPixelRatio, devicePixelRatio));
}

/**
 * One check a second with the median frame interval: slow frames first lower the
 * ratio in steps of 0.125 down to the tier's floor, then drop a tier; fast frames raise
 * the ratio back to the tier's cap, then, after SECONDS_BEFORE_UP, go up a tier.
 * Returns whether anything changed.
 */
export function adaptQuality(q: Quality, medianMs: number, devicePixelRatio: number): boolean {
  const tier = TIERS[q.tier];
  const rank = ORDER.indexOf(q.tier);
  if (medianMs > HOPELESS_MS && (q.tier !== "low" || q.pixelRatio > TIERS.low.minPixelRatio)) {
    q.fastChecks = 0;
    q.tier = "low";
    q.pixelRatio = TIERS.low.minPixelRatio;
    return true;
  }
  if (medianMs > SLOW_MS) {
    q.fastChecks = 0;
    if (q.pixelRatio > tier.minPixelRatio) {
      q.pixelRatio = Math.max(tier.minPixelRatio, q.pixelRatio - 0.125);
      return true;
    }
    if (rank > 0) {
      q.tier = ORDER[rank - 1];
      q.pixelRatio = Math.min(q.pixelRatio, ratioFor(TIERS[q.tier], devicePixelRatio));
      return true;
    }
    return false;
  }
  if (medianMs < FAST_MS) {
    q.fastChecks += 1;
    const cap = ratioFor(tier, devicePixelRatio);
    if (q.pixelRatio < cap) {
      q.pixelRatio = Math.min(cap, q.pixelRatio + 0.125);
      return true;
    }
    if (rank < ORDER.length - 1 && q.fastChecks >= SECONDS_BEFORE_UP) {
      q.tier = ORDER[rank + 1];
      q.fastChecks = 0;
      return true;
    }
    return false;
  }
  q.fastChecks = 0;
  return false;
}
