/**
 * Products, options and quotes from the catalog API, normalised into the shapes the
 * storefront uses. The server is the authority on rules and prices: the client shows
 * what POST .../quote answers and never prices a configuration itself.
 */

import { getJson, postJson } from "./http";
import type { LocalText } from "./brand";

export interface Money {
  amount: string;
  currency: string;
}

export type EffectKind = "material_color" | "part_swap" | "visibility";

export interface Effect {
  kind: EffectKind;
  target: string;
  value: string | boolean;
}

export interface ProductOption {
  id: string;
  name: LocalText;
  price: Money | null;
  effects: Effect[];
  isDefault: boolean;
}

export interface OptionGroup {
  id: string;
  name: LocalText;
  /** One option at most (radio buttons) or any number (checkboxes). */
  exclusive: boolean;
  /** At least one option must stay chosen. */
  required: boolean;
  options: ProductOption[];
}

export interface Explainer {
  part: string;
  title: LocalText;
  text: LocalText;
}

export interface Product {
  slug: string;
  name: LocalText;
  description: LocalText;
  basePrice: Money;
  assetUrl: string | null;
  groups: OptionGroup[];
  explainers: Explainer[];
  /** Nodes hidden when the twin loads (replacement parts that options swap in). */
  hiddenParts: string[];
}

export interface Quote {
  valid: boolean;
  violations: string[];
  base: string;
  options: string;
  total: string;
  currency: string;
}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown, fallback = ""): string =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : fallback;

function asText(value: unknown): LocalText {
  if (typeof value === "string") return { en: value };
  if (!isObject(value)) return {};
  const out: LocalText = {};
  for (const [key, text] of Object.entries(value)) if (typeof text === "string") out[key] = text;
  return out;
}

export function parseMoney(value: unknown, currency = "EUR"): Money | null {
  if (isObject(value)) {
    const amount = asString(value.amount);
    return amount ? { amount, currency: asString(value.currency, currency) } : null;
  }
  if (typeof value === "string" || typeof value === "number") return { amount: String(value), currency };
  return null;
}

const EFFECT_KINDS: readonly string[] = ["material_color", "part_swap", "visibility"];

function parseEffect(raw: unknown): Effect | null {
  if (!isObject(raw) || !EFFECT_KINDS.includes(asString(raw.kind))) return null;
  const target = asString(raw.target);
  if (!target) return null;
  const value = typeof raw.value === "boolean" ? raw.value : asString(raw.value);
  return { kind: raw.kind as EffectKind, target, value };
}

function parseOption(raw: unknown, currency: string): ProductOption | null {
  if (!isObject(raw)) return null;
  const id = asString(raw.id) || asString(raw.code) || asString(raw.slug);
  if (!id) return null;
  return {
    id,
    name: asText(raw.name ?? raw.label ?? id),
    price: parseMoney(raw.price ?? raw.price_delta ?? raw.delta, currency),
    effects: asArray(raw.effects)
      .map(parseEffect)
      .filter((e): e is Effect => e !== null),
    isDefault: raw.default === true || raw.is_default === true,
  };
}

export function parseProduct(raw: unknown): Product {
  if (!isObject(raw)) throw new Error("a product must be an object");
  const basePrice = parseMoney(raw.base_price ?? raw.price) ?? { amount: "0", currency: "EUR" };
  const groups = asArray(raw.option_groups).flatMap((g): OptionGroup[] => {
    if (!isObject(g)) return [];
    const options = asArray(g.options)
      .map((o) => parseOption(o, basePrice.currency))
      .filter((o): o is ProductOption => o !== null);
    const id = asString(g.id) || asString(g.code) || asString(g.slug);
    const multiple = typeof g.max_choices === "number" ? g.max_choices > 1 : g.multiple === true;
    const required = typeof g.min_choices === "number" && g.min_choices > 0;
    return [{ id, name: asText(g.name ?? id), exclusive: !multiple, required, options }];
  });
  const explainers = asArray(raw.explainers)
    .filter(isObject)
    .map((e, index) => ({ e, index, order: typeof e.order === "number" ? e.order : index }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map(({ e }) => ({
      part: asString(e.part ?? e.target ?? e.node),
      title: asText(e.title ?? {}),
      text: asText(e.text ?? e.body ?? {}),
    }));
  const defaults = new Set(asArray(raw.default_option_ids).map((id) => asString(id)));
  for (const group of groups) for (const option of group.options) if (defaults.has(option.id)) option.isDefault = true;
  return {
    slug: asString(raw.slug),
    name: asText(raw.name),
    description: asText(raw.description),
    basePrice,
    assetUrl: asString(raw.asset_url) || null,
    groups,
    explainers,
    hiddenParts: asArray(raw.hidden_parts).map((p) => asString(p)).filter(Boolean),
  };
}

function violationText(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (isObject(raw)) {
    const message = raw.message ?? raw.explanation ?? raw.detail;
    if (isObject(message)) return Object.values(message).find((v) => typeof v === "string") ?? "";
    return asString(message, asString(raw.code, JSON.stringify(raw)));
  }
  return String(raw);
}

export function parseQuote(raw: unknown): Quote {
  const body = isObject(raw) ? raw : {};
  const breakdown = isObject(body.breakdown) ? body.breakdown : {};
  const money = (v: unknown): string => {
    if (Array.isArray(v)) {
      // itemised option lines: their sum, for display only (the total comes from the server)
      const cents = v.reduce<number>((sum, line) => sum + Math.round(Number(money(line)) * 100), 0);
      return Number.isFinite(cents) ? (cents / 100).toFixed(2) : "";
    }
    return isObject(v) ? asString(v.amount) : asString(v);
  };
  const total = breakdown.total;
  return {
    valid: body.valid !== false,
    violations: asArray(body.violations).map(violationText),
    base: money(breakdown.base),
    options: money(breakdown.options),
    total: money(total),
    currency: asString(breakdown.currency, isObject(total) ? asString(total.currency, "EUR") : "EUR"),
  };
}

const productsUrl = (brand: string): string => `/api/brands/${encodeURIComponent(brand)}/products`;

export async function fetchProducts(brand: string): Promise<Product[]> {
  const raw = await getJson<unknown>(productsUrl(brand));
  const items = Array.isArray(raw) ? raw : isObject(raw) ? asArray(raw.items) : [];
  return items.map(parseProduct);
}

export async function fetchProduct(brand: string, slug: string): Promise<Product> {
  return parseProduct(await getJson<unknown>(`${productsUrl(brand)}/${encodeURIComponent(slug)}`));
}

export async function quote(brand: string, slug: string, optionIds: readonly string[], locale: string): Promise<Quote> {
  const url = `${productsUrl(brand)}/${encodeURIComponent(slug)}/quote`;
  return parseQuote(await postJson<unknown>(url, { option_ids: optionIds, locale }));
}

export async function saveConfiguration(
  brand: string,
  slug: string,
  optionIds: readonly string[],
): Promise<string> {
  const url = `${productsUrl(brand)}/${encodeURIComponent(slug)}/configurations`;
  const raw = await postJson<unknown>(url, { option_ids: optionIds });
  return isObject(raw) ? asString(raw.id) : "";
}

/** A price for people: "€42,900.00" in the UI language. */
export function formatMoney(amount: string, currency: string, locale: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}
