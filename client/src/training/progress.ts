/** An advisor's progress over time, summed up for coaches: per scenario, the dated scores
 * in order and the trend (the change from the first to the latest score); for the
 * advisor, the average and the mean of those changes. */

import type { Progress } from "./api";

export type Direction = "up" | "down" | "steady";

export interface DatedScore {
  when: string | null;
  percent: number;
}

export interface ScenarioTrend {
  scenario: string;
  scores: DatedScore[];
  latest: number;
  best: number;
  /** Points gained from the first to the latest score; null with a single score. */
  change: number | null;
}

export interface AdvisorSummary {
  sessions: number;
  average: number | null;
  last: string | null;
  /** Most recently rehearsed first. */
  scenarios: ScenarioTrend[];
  /** Mean of the scenarios' changes (a harder scenario does not read as a drop). */
  change: number | null;
}

export function direction(change: number | null): Direction | null {
  if (change === null) return null;
  return change > 0 ? "up" : change < 0 ? "down" : "steady";
}

function stamp(when: string | null): number {
  return when ? Date.parse(when) : Number.POSITIVE_INFINITY;
}

export function summarise(progress: Progress): AdvisorSummary {
  const scored = progress.points
    .filter((p): p is typeof p & { percent: number } => p.percent !== null)
    .sort((a, b) => stamp(a.ended_at) - stamp(b.ended_at));
  const by = new Map<string, DatedScore[]>();
  for (const p of scored) {
    const list = by.get(p.scenario) ?? [];
    list.push({ when: p.ended_at, percent: p.percent });
    by.set(p.scenario, list);
  }
  const scenarios: ScenarioTrend[] = [...by].map(([scenario, scores]) => {
    const first = scores[0].percent;
    const latest = scores[scores.length - 1].percent;
    return {
      scenario,
      scores,
      latest,
      best: Math.max(...scores.map((s) => s.percent)),
      change: scores.length > 1 ? latest - first : null,
    };
  });
  scenarios.sort((a, b) => stamp(b.scores[b.scores.length - 1].when) - stamp(a.scores[a.scores.length - 1].when));
  const changes = scenarios.map((s) => s.change).filter((c): c is number => c !== null);
  const ended = progress.points.map((p) => p.ended_at).filter((w): w is string => w !== null);
  return {
    sessions: progress.sessions,
    average: progress.average_percent,
    last: ended.length ? ended.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null,
    scenarios,
    change: changes.length ? Math.round((changes.reduce((a, b) => a + b, 0) / changes.length) * 10) / 10 : null,
  };
}
