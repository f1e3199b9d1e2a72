import { describe, expect, it } from "vitest";
import { SCHEDULING_STRINGS, st } from "./strings";

describe("appointment strings", () => {
  it("exist in every locale, non-empty, with the same placeholders", () => {
    const keys = Object.keys(SCHEDULING_STRINGS.en).sort();
    for (const table of Object.values(SCHEDULING_STRINGS)) {
      expect(Object.keys(table).sort()).toEqual(keys);
      for (const key of keys) {
        const text = table[key as keyof typeof table];
        expect(text.trim()).not.toBe("");
        const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(placeholders(text)).toEqual(placeholders(SCHEDULING_STRINGS.en[key as keyof typeof table]));
      }
    }
  });

  it("fills placeholders and falls back to English for other languages", () => {
    expect(st("fr", "mine.with", { names: "Ava" })).toBe("Avec Ava");
    expect(st("de", "mine.cancel")).toBe("Cancel");
  });
});
