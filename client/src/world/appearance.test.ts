import { describe, expect, it } from "vitest";
import { ADVISOR_UNIFORM, appearanceFor, defaultAppearance, fromLook, GREETER, loadAppearance, parseAppearance, saveAppearance, toLook, type Appearance } from "./appearance";

const chosen: Appearance = { body: "broad", skin: 4, hair: "long", hairColor: 5, top: "#b3262e", bottom: "#3b4a63" };

describe("avatar appearance", () => {
  it("travels in the protocol's Look and comes back the same for everyone", () => {
    const look = toLook(chosen);
    expect(look.model).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    for (const token of look.accessories ?? []) expect(token).toMatch(/^[A-Za-z0-9_-]{1,32}$/); // the server's pattern
    expect(fromLook(look, "customer", 7)).toEqual(chosen);
  });

  it("dresses advisors in the brand's uniform and the guide in its greeter outfit, whatever they send", () => {
    expect(fromLook(toLook(chosen), "advisor", 1)).toEqual(ADVISOR_UNIFORM);
    expect(fromLook(undefined, "bot", 2)).toEqual(GREETER);
    expect(GREETER.top).not.toBe(ADVISOR_UNIFORM.top);
  });

  it("gives visitors who chose nothing varied looks, stable per avatar", () => {
    const looks = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((id) => JSON.stringify(appearanceFor(id))));
    expect(looks.size).toBeGreaterThan(5);
    expect(fromLook({ model: "default", color: "#8899aa" }, "customer", 3)).toEqual(appearanceFor(3));
    expect(appearanceFor(3)).toEqual(appearanceFor(3));
  });

  it("refuses invalid fields one by one", () => {
    const parsed = parseAppearance({ body: "giant", skin: 99, hair: "long", hairColor: -1, top: "red", bottom: "#123456" });
    const d = defaultAppearance();
    expect(parsed).toEqual({ ...d, hair: "long", bottom: "#123456" });
    expect(parseAppearance("nonsense")).toEqual(d);
  });

  it("is remembered in local storage", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadAppearance(storage)).toEqual(defaultAppearance());
    saveAppearance(storage, chosen);
    expect(loadAppearance(storage)).toEqual(chosen);
    store.set("vitrina.avatar", "{not json");
    expect(loadAppearance(storage)).toEqual(defaultAppearance());
  });
});
