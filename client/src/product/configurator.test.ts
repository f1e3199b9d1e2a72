import { describe, expect, it } from "vitest";
import { parseProduct, parseQuote } from "../api/catalog";
import { ExplainerSteps, defaultSelection, orderedSelection, toggleOption, twinLook } from "./configurator";

// Shaped like GET /api/brands/{brand}/products/{product}.
const car = parseProduct({
  slug: "aurora-e1",
  name: { en: "Aurora E1", fr: "Aurora E1", it: "Aurora E1" },
  description: { en: "Compact", fr: "Compacte", it: "Compatta" },
  base_price: { amount: "34900.00", currency: "EUR" },
  asset_url: "/api/assets/abc.glb",
  default_option_ids: ["white", "aero"],
  hidden_parts: ["wheel_sport"],
  option_groups: [
    { id: "paint", name: { en: "Paint" }, min_choices: 1, max_choices: 1, options: [
      { id: "white", name: { en: "White" }, price_delta: { amount: "0.00", currency: "EUR" }, default: true, effects: [{ kind: "material_color", target: "paint", value: "#eeeeea" }] },
      { id: "red", name: { en: "Red" }, price_delta: { amount: "1200.00", currency: "EUR" }, default: false, effects: [{ kind: "material_color", target: "paint", value: "#b3121f" }] },
    ] },
    { id: "wheels", name: { en: "Wheels" }, min_choices: 1, max_choices: 1, options: [
      { id: "aero", name: { en: "Aero" }, price_delta: { amount: "0.00", currency: "EUR" }, effects: [] },
      { id: "sport", name: { en: "Sport" }, price_delta: { amount: "1900.00", currency: "EUR" }, effects: [{ kind: "part_swap", target: "wheel_aero", value: "wheel_sport" }] },
    ] },
    { id: "packs", name: { en: "Packs" }, min_choices: 0, max_choices: 3, options: [
      { id: "roof", name: { en: "Roof box" }, price_delta: { amount: "400.00", currency: "EUR" }, effects: [{ kind: "visibility", target: "roof_box", value: true }] },
      { id: "nocharge", name: { en: "Hide port" }, price_delta: { amount: "0.00", currency: "EUR" }, effects: [{ kind: "visibility", target: "charging_port", value: false }] },
    ] },
  ],
  explainers: [
    { id: "b", order: 2, part: "charging_port", title: { en: "Charging" }, text: { en: "Plug in here." } },
    { id: "a", order: 1, part: "dashboard", title: { en: "Dashboard" }, text: { en: "Everything at a glance." } },
  ],
});

describe("the configurator", () => {
  it("starts from the catalog's default options", () => {
    expect([...defaultSelection(car)].sort()).toEqual(["aero", "white"]);
    expect(car.groups.map((g) => [g.id, g.exclusive, g.required])).toEqual([["paint", true, true], ["wheels", true, true], ["packs", false, false]]);
  });

  it("keeps one choice in a single-choice group and several in a pack group", () => {
    let chosen = defaultSelection(car);
    chosen = toggleOption(car, chosen, "red");
    expect(chosen.has("white")).toBe(false);
    chosen = toggleOption(car, chosen, "red"); // a required choice stays chosen
    expect(chosen.has("red")).toBe(true);
    chosen = toggleOption(car, chosen, "roof");
    chosen = toggleOption(car, chosen, "nocharge");
    expect(orderedSelection(car, chosen)).toEqual(["red", "aero", "roof", "nocharge"]);
    chosen = toggleOption(car, chosen, "roof");
    expect(chosen.has("roof")).toBe(false);
  });

  it("turns choices into colours, swapped parts and hidden parts", () => {
    const look = twinLook(car, new Set(["red", "sport", "roof", "nocharge"]));
    expect(look.colors.get("paint")).toBe("#b3121f");
    expect(look.hidden).toEqual(new Set(["wheel_aero", "charging_port"]));
    expect(look.shown).toEqual(new Set(["wheel_sport", "roof_box"]));
    const plain = twinLook(car, defaultSelection(car));
    expect(plain.hidden).toEqual(new Set(["wheel_sport"])); // replacement parts start hidden
  });

  it("orders the explainers and steps through them", () => {
    expect(car.explainers.map((e) => e.part)).toEqual(["dashboard", "charging_port"]);
    const steps = new ExplainerSteps(car.explainers.length);
    expect(steps.atStart).toBe(true);
    expect(steps.next()).toBe(1);
    expect(steps.next()).toBe(1);
    expect(steps.atEnd).toBe(true);
    expect(steps.prev()).toBe(0);
  });
});

describe("quotes", () => {
  it("read the server's breakdown and violations", () => {
    const q = parseQuote({
      valid: false,
      violations: [{ rule_id: "r1", kind: "requires", option_ids: ["sport"], message: "Sport wheels need the GT pack.", messages: { en: "x" } }],
      breakdown: { base: "34900.00", options: [{ id: "red", amount: "1200.00" }, { id: "sport", amount: "1900.10" }], total: "38000.10", currency: "EUR" },
    });
    expect(q).toEqual({ valid: false, violations: ["Sport wheels need the GT pack."], base: "34900.00", options: "3100.10", total: "38000.10", currency: "EUR" });
  });
});
