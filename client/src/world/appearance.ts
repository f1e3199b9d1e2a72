/**
 * What an avatar looks like: body, skin tone, hair and outfit colours. The visitor
 * chooses theirs (kept in the browser's local storage and sent in the world's `join`
 * frame as a protocol `Look`, so everyone in the room sees it); advisors wear the
 * brand's uniform and the guide bot its greeter outfit. Pure data and functions.
 */

import type { Look } from "../net/protocol.gen";

export const BODIES = ["slim", "regular", "broad"] as const;
export const HAIRS = ["short", "long", "bun", "none"] as const;
export type Body = (typeof BODIES)[number];
export type Hair = (typeof HAIRS)[number];

export const SKIN_TONES = ["#f6d7c3", "#eac0a0", "#d4a07a", "#b07850", "#8a5634", "#5e3a22"] as const;
export const HAIR_COLORS = ["#1d1a17", "#4a3222", "#8a5a32", "#c99b5d", "#b8b2a8", "#7a2e1d"] as const;
export const OUTFIT_COLORS = ["#2f5fa8", "#b3262e", "#2f7a54", "#e0b43a", "#f1efe9", "#23252b", "#7a4a9e", "#d96c3b"] as const;

export interface Appearance {
  body: Body;
  skin: number;
  hair: Hair;
  hairColor: number;
  top: string;
  bottom: string;
}

/** The brand's uniform and the greeter's outfit: recognisable at a glance. */
export const ADVISOR_UNIFORM: Appearance = { body: "regular", skin: 2, hair: "short", hairColor: 1, top: "#1c2b4a", bottom: "#2a2d33" };
export const GREETER: Appearance = { body: "slim", skin: 1, hair: "bun", hairColor: 3, top: "#0a6cff", bottom: "#f1efe9" };

export const STORAGE_KEY = "vitrina.avatar";
const HEX = /^#[0-9a-f]{6}$/i;

export function defaultAppearance(): Appearance {
  return { body: "regular", skin: 2, hair: "short", hairColor: 1, top: OUTFIT_COLORS[0], bottom: "#2e3440" };
}

/** A varied but stable look for someone who never chose one (older clients, the benchmark's visitors). */
export function appearanceFor(id: number): Appearance {
  const h = Math.imul(id + 1, 2654435761) >>> 0;
  return {
    body: BODIES[h % 3],
    skin: (h >>> 2) % SKIN_TONES.length,
    hair: HAIRS[(h >>> 5) % 3],
    hairColor: (h >>> 8) % HAIR_COLORS.length,
    top: OUTFIT_COLORS[(h >>> 11) % OUTFIT_COLORS.length],
    bottom: ["#2e3440", "#3b4a63", "#5a4a3a", "#1d1f24"][(h >>> 14) % 4],
  };
}

/** A stored or received appearance, checked field by field; anything invalid falls back. */
export function parseAppearance(value: unknown, fallback: Appearance = defaultAppearance()): Appearance {
  if (typeof value !== "object" || value === null) return fallback;
  const v = value as Record<string, unknown>;
  const index = (x: unknown, n: number, d: number): number => (Number.isInteger(x) && (x as number) >= 0 && (x as number) < n ? (x as number) : d);
  return {
    body: BODIES.includes(v.body as Body) ? (v.body as Body) : fallback.body,
    skin: index(v.skin, SKIN_TONES.length, fallback.skin),
    hair: HAIRS.includes(v.hair as Hair) ? (v.hair as Hair) : fallback.hair,
    hairColor: index(v.hairColor, HAIR_COLORS.length, fallback.hairColor),
    top: typeof v.top === "string" && HEX.test(v.top) ? v.top.toLowerCase() : fallback.top,
    bottom: typeof v.bottom === "string" && HEX.test(v.bottom) ? v.bottom.toLowerCase() : fallback.bottom,
  };
}

export function loadAppearance(storage: Pick<Storage, "getItem">): Appearance {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    return raw ? parseAppearance(JSON.parse(raw)) : defaultAppearance();
  } catch {
    return defaultAppearance();
  }
}

export function saveAppearance(storage: Pick<Storage, "setItem">, appearance: Appearance): void {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(appearance));
  } catch {
    // private browsing without storage: the look lasts for this visit
  }
}

/**
 * The protocol's Look: `model` names the body, `color` is the top, and accessories
 * carry the rest as short tokens ("skin-2", "hair-long", "haircolor-1", "bottom-2e3440").
 */
export function toLook(a: Appearance): Look {
  return {
    model: `human-${a.body}`,
    color: a.top,
    accessories: [`skin-${a.skin}`, `hair-${a.hair}`, `haircolor-${a.hairColor}`, `bottom-${a.bottom.slice(1)}`],
  };
}

/** The appearance to draw for an avatar: role outfits first, then its own Look, then a stable default. */
export function fromLook(look: Look | undefined, badge: string, id: number): Appearance {
  if (badge === "advisor") return ADVISOR_UNIFORM;
  if (badge === "bot") return GREETER;
  const fallback = appearanceFor(id);
  if (!look?.model?.startsWith("human-")) return fallback;
  const fields: Record<string, unknown> = { body: look.model.slice(6), top: look.color };
  for (const token of look.accessories ?? []) {
    const dash = token.indexOf("-");
    const key = token.slice(0, dash);
    const value = token.slice(dash + 1);
    if (key === "skin" || key === "haircolor") fields[key === "skin" ? "skin" : "hairColor"] = Number(value);
    else if (key === "hair") fields.hair = value;
    else if (key === "bottom") fields.bottom = `#${value}`;
  }
  return parseAppearance(fields, fallback);
}
