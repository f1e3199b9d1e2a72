import { afterEach, describe, expect, it } from "vitest";
import { CONSOLE_STRINGS, LOCALES, calendarDate, chooseLocale, labelOf, setLocale, t, wallClock, type ConsoleKey } from "./strings";

afterEach(() => setLocale("en"));

describe("console strings", () => {
  const keys = Object.keys(CONSOLE_STRINGS.en).sort() as ConsoleKey[];

  it("exist in English, French and Italian for every key, never empty", () => {
    for (const code of LOCALES) {
      expect(Object.keys(CONSOLE_STRINGS[code]).sort()).toEqual(keys);
      for (const key of keys) expect(CONSOLE_STRINGS[code][key].trim(), `${code} ${key}`).not.toBe("");
    }
  });

  it("keep the same placeholders in every language", () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of keys) {
      for (const code of LOCALES) expect(names(CONSOLE_STRINGS[code][key]), `${code} ${key}`).toEqual(names(CONSOLE_STRINGS.en[key]));
    }
  });

  it("are translated: most French and Italian texts differ from the English", () => {
    for (const code of ["fr", "it"] as const) {
      const same = keys.filter((key) => CONSOLE_STRINGS[code][key] === CONSOLE_STRINGS.en[key]);
      expect(same.length / keys.length, `${code}: ${same.join(", ")}`).toBeLessThan(0.2);
    }
  });

  it("keep the English labels the browser tests and advisors know", () => {
    expect(t("nav.queue")).toBe("Queue");
    expect(t("nav.withBot")).toBe("With the assistant");
    expect(t("queue.acceptOffered")).toBe("Accept (offered)");
    expect(t("actions.takeOver")).toBe("Take over (supervisor)");
    expect(t("live.up")).toBe("live");
  });

  it("follow the chosen language and fill placeholders", () => {
    setLocale("fr");
    expect(t("nav.queue")).toBe("File d'attente");
    expect(t("queue.accept")).toBe("Prendre en charge");
    expect(t("resources.editName", { name: "Ada" })).toBe("Modifier Ada");
    setLocale("it");
    expect(t("nav.queue")).toBe("Coda");
    expect(t("queue.accept")).toBe("Accetta");
    expect(t("summary.intent", { intent: "booking" })).toBe("Intento: booking");
  });

  it("label API values in the console's language and keep unknown ones readable", () => {
    expect(labelOf("state", "waiting_on_customer")).toBe("waiting on customer");
    expect(labelOf("channel", "email")).toBe("email");
    setLocale("fr");
    expect(labelOf("state", "queued")).toBe("en file d'attente");
    expect(labelOf("disposition", "not_solved")).toBe("non résolu");
    expect(labelOf("presence", "away")).toBe("absent");
    expect(labelOf("channel", "sms_gateway")).toBe("sms gateway");
  });

  it("format dates in the console's language", () => {
    expect(calendarDate("2026-12-15")).toBe("15 Dec 2026");
    expect(wallClock("2026-12-11T15:00:00+01:00")).toContain("15:00");
    setLocale("fr");
    expect(calendarDate("2026-12-15")).toMatch(/15 déc\.? 2026/);
    setLocale("it");
    expect(calendarDate("2026-12-15")).toMatch(/15 dic 2026/);
    expect(wallClock("2026-12-11T15:00:00+01:00")).toMatch(/11 dic 2026.*15:00/);
  });
});

describe("the console's language", () => {
  it("is the URL's, else the advisor's saved choice, else the browser's, else English", () => {
    expect(chooseLocale("it", "fr", ["fr-FR"])).toBe("it");
    expect(chooseLocale(null, "fr", ["it-IT"])).toBe("fr");
    expect(chooseLocale("de", "fr", ["it-IT"])).toBe("fr");
    expect(chooseLocale(null, null, ["de-DE", "it-CH", "fr"])).toBe("it");
    expect(chooseLocale(null, "xx", ["FR-ca"])).toBe("fr");
    expect(chooseLocale(null, null, ["de", "es"])).toBe("en");
    expect(chooseLocale("", null, [])).toBe("en");
  });
});
