import { describe, expect, it } from "vitest";
import { SHOP_STRINGS, sh } from "./strings";

describe("shop strings", () => {
  it("have every key in every locale, filled in", () => {
    const keys = Object.keys(SHOP_STRINGS.en).sort();
    for (const table of Object.values(SHOP_STRINGS)) {
      expect(Object.keys(table).sort()).toEqual(keys);
      for (const value of Object.values(table)) expect(value.trim()).not.toBe("");
    }
  });

  it("fill in parameters and fall back to English", () => {
    expect(sh("it", "shop.paid", { number: "AB12" })).toBe("Grazie! L'ordine AB12 è pagato.");
    expect(sh("de", "shop.pay", { amount: "10 €" })).toBe("Pay 10 €");
  });
});
