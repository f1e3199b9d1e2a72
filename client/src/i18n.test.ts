import { describe, expect, it } from "vitest";
import { LOCALES, STRINGS, localized, pickLocale, setLocale, t } from "./i18n";

describe("UI strings", () => {
  it("exist in English, French and Italian for every key, never empty", () => {
    const keys = Object.keys(STRINGS.en).sort();
    for (const code of LOCALES) {
      expect(Object.keys(STRINGS[code]).sort()).toEqual(keys);
      for (const key of keys) expect(STRINGS[code][key as keyof typeof STRINGS.en].trim()).not.toBe("");
    }
  });

  it("keep the same placeholders in every language", () => {
    for (const [key, text] of Object.entries(STRINGS.en)) {
      const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      for (const code of LOCALES) expect(names(STRINGS[code][key as keyof typeof STRINGS.en])).toEqual(names(text));
    }
  });

  it("follow the chosen language and fill placeholders", () => {
    setLocale("fr");
    expect(t("chat.send")).toBe("Envoyer");
    expect(t("product.step", { n: 2, total: 5 })).toBe("Étape 2 sur 5");
    setLocale("it");
    expect(t("product.step", { n: 1, total: 3 })).toBe("Passo 1 di 3");
    setLocale("en");
  });
});

describe("pickLocale", () => {
  it("prefers a stored choice, then the browser's languages, then English", () => {
    expect(pickLocale(["fr-FR"], "it")).toBe("it");
    expect(pickLocale(["de-DE", "fr-CA", "en"], null)).toBe("fr");
    expect(pickLocale(["de", "es"], "xx")).toBe("en");
  });
});

describe("localized", () => {
  it("reads server texts in the current language with fallbacks", () => {
    setLocale("it");
    expect(localized({ en: "Paint", it: "Vernice" })).toBe("Vernice");
    expect(localized({ en: "Paint" })).toBe("Paint");
    expect(localized("plain")).toBe("plain");
    expect(localized(undefined, "fallback")).toBe("fallback");
    setLocale("en");
  });
});
