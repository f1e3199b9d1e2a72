import { describe, expect, it } from "vitest";
import type { Progress } from "./api";
import { direction, summarise } from "./progress";

function point(scenario: string, day: number, percent: number | null) {
  return {
    session_id: `${scenario}-${day}`,
    scenario,
    ended_at: `2026-12-0${day}T10:00:00Z`,
    percent,
    outcome: "resolved",
  };
}

function progress(points: Progress["points"]): Progress {
  return { trainee_id: "t1", sessions: points.length, average_percent: 70, points, items: {} };
}

describe("an advisor's progress for coaches", () => {
  it("orders each scenario's scores by date and measures the trend from first to latest", () => {
    const found = summarise(
      progress([point("late-delivery", 5, 80), point("late-delivery", 1, 40), point("late-delivery", 3, 60)]),
    );
    expect(found.scenarios).toHaveLength(1);
    const trend = found.scenarios[0];
    expect(trend.scores.map((s) => s.percent)).toEqual([40, 60, 80]);
    expect(trend.latest).toBe(80);
    expect(trend.best).toBe(80);
    expect(trend.change).toBe(40);
    expect(direction(trend.change)).toBe("up");
    expect(found.last).toBe("2026-12-05T10:00:00Z");
  });

  it("averages the changes of the scenarios, so a harder scenario does not read as a drop", () => {
    const found = summarise(
      progress([
        point("financing", 1, 90),
        point("late-delivery", 2, 30),
        point("financing", 3, 100),
        point("late-delivery", 4, 50),
        point("trade-in", 6, 70),
      ]),
    );
    expect(found.scenarios.map((s) => s.scenario)).toEqual(["trade-in", "late-delivery", "financing"]);
    expect(found.scenarios.map((s) => s.change)).toEqual([null, 20, 10]);
    expect(found.change).toBe(15);
  });

  it("has no trend with a single score, and skips unscored sessions", () => {
    const found = summarise(progress([point("financing", 1, 55), point("financing", 2, null)]));
    expect(found.scenarios[0].scores).toHaveLength(1);
    expect(found.scenarios[0].change).toBeNull();
    expect(found.change).toBeNull();
    expect(direction(null)).toBeNull();
    expect(direction(0)).toBe("steady");
    expect(direction(-5)).toBe("down");
  });

  it("is empty for an advisor who never rehearsed", () => {
    const found = summarise({ trainee_id: "t2", sessions: 0, average_percent: null, points: [], items: {} });
    expect(found.scenarios).toEqual([]);
    expect(found.last).toBeNull();
    expect(found.change).toBeNull();
  });
});
