/**
 * Configurator state without any rendering: which options are chosen and what they do
 * to the digital twin. The twin's look is always recomputed from its original state
 * plus the chosen options' effects, so deselecting an option restores the part.
 */

import type { Product } from "../api/catalog";

export interface TwinLook {
  /** Material or node name -> "#rrggbb". */
  colors: Map<string, string>;
  hidden: Set<string>;
  shown: Set<string>;
}

export function defaultSelection(product: Product): Set<string> {
  const chosen = new Set<string>();
  for (const group of product.groups) {
    for (const option of group.options) if (option.isDefault) chosen.add(option.id);
  }
  return chosen;
}

/** A new selection after the customer picks (or unpicks) `optionId`. */
export function toggleOption(product: Product, selection: ReadonlySet<string>, optionId: string): Set<string> {
  const next = new Set(selection);
  const group = product.groups.find((g) => g.options.some((o) => o.id === optionId));
  if (!group) return next;
  if (next.has(optionId)) {
    // A required single choice stays chosen: picking it again changes nothing.
    if (!(group.exclusive && group.required)) next.delete(optionId);
    return next;
  }
  if (group.exclusive) for (const option of group.options) next.delete(option.id);
  next.add(optionId);
  return next;
}

/** Selected ids in catalog order, which keeps quotes and shared links stable. */
export function orderedSelection(product: Product, selection: ReadonlySet<string>): string[] {
  return product.groups.flatMap((g) => g.options.filter((o) => selection.has(o.id)).map((o) => o.id));
}

function truthy(value: string | boolean): boolean {
  if (typeof value === "boolean") return value;
  return !["false", "0", "hidden", "hide", "off", "no"].includes(value.toLowerCase());
}

export function twinLook(product: Product, selection: ReadonlySet<string>): TwinLook {
  const look: TwinLook = { colors: new Map(), hidden: new Set(product.hiddenParts), shown: new Set() };
  for (const group of product.groups) {
    for (const option of group.options) {
      if (!selection.has(option.id)) continue;
      for (const effect of option.effects) {
        if (effect.kind === "material_color" && typeof effect.value === "string") {
          look.colors.set(effect.target, effect.value);
        } else if (effect.kind === "visibility") {
          const visible = truthy(effect.value);
          (visible ? look.shown : look.hidden).add(effect.target);
          (visible ? look.hidden : look.shown).delete(effect.target);
        } else if (effect.kind === "part_swap" && typeof effect.value === "string") {
          // The slot's current part goes away and the named variant takes its place.
          look.hidden.add(effect.target);
          look.shown.delete(effect.target);
          look.shown.add(effect.value);
          look.hidden.delete(effect.value);
        }
      }
    }
  }
  return look;
}

/** Steps through a product's explainers (hotspots) one at a time, in order. */
export class ExplainerSteps {
  index = 0;
  constructor(readonly count: number) {}
  next(): number {
    if (this.index < this.count - 1) this.index += 1;
    return this.index;
  }
  prev(): number {
    if (this.index > 0) this.index -= 1;
    return this.index;
  }
  get atStart(): boolean {
    return this.index === 0;
  }
  get atEnd(): boolean {
    return this.index >= this.count - 1;
  }
}
