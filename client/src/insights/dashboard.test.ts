import { describe, expect, it } from "vitest";
import { formatFigure, query, stateTotals } from "./dashboard";
import { DASHBOARD_STRINGS } from "./strings";

describe("dashboard", () => {
  it("formats figures as a supervisor reads them", () => {
    expect(formatFigure("rate", 0.3333)).toBe("33.3 %");
    expect(formatFigure("seconds", 45)).toBe("45 s");
    expect(formatFigure("seconds", 125)).toBe("2 min 5 s");
    expect(formatFigure("score", 4.5, 12)).toBe("4.5 / 5 (12)");
    expect(formatFigure("count", null)).toBe("—");
  });

  it("puts only the chosen filters in the query", () => {
    expect(query({ brand: "", channel: "", queue: " ", period: "today" })).toBe("period=today");
    expect(query({ brand: "aurora-motors", channel: "widget", queue: "sales", period: "7d" })).toBe(
      "period=7d&brand=aurora-motors&channel=widget&queue=sales",
    );
  });

  it("totals states over channels in the lifecycle's order", () => {
    const [states, totals] = stateTotals({ resolved: { widget: 1, world: 2 }, bot: { widget: 1 } });
    expect(states.slice(0, 5)).toEqual(["bot", "queued", "assigned", "waiting_on_customer", "resolved"]);
    expect(totals.slice(0, 5)).toEqual([1, 0, 0, 0, 3]);
  });

  it("has every string in every language with the same placeholders", () => {
    const keys = Object.keys(DASHBOARD_STRINGS.en).sort();
    for (const table of [DASHBOARD_STRINGS.fr, DASHBOARD_STRINGS.it]) {
      expect(Object.keys(table).sort()).toEqual(keys);
      for (const key of keys) {
        const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(holes(table[key as keyof typeof table])).toEqual(holes(DASHBOARD_STRINGS.en[key as keyof typeof table]));
      }
    }
  });
});
