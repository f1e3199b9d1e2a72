import { describe, expect, it } from "vitest";

import type { Purpose, Signal } from "./api";
import { SignalGate } from "./model";
import { InterestTracker, MIN_DWELL_MS } from "./tracker";

function setup(allowed: Purpose[]) {
  const sent: Signal[] = [];
  const gate = new SignalGate(async (events) => {
    sent.push(...events);
    return null;
  });
  gate.update(new Set<Purpose>(["essential", ...allowed]));
  let t = Date.parse("2026-12-04T10:00:00Z");
  const clock = { advance: (ms: number) => (t += ms) };
  const tracker = new InterestTracker(gate, () => t);
  return { gate, tracker, clock, sent };
}

const ray = { origin: [0, 1.6, 0] as [number, number, number], direction: [0, 0, 1] as [number, number, number] };

describe("interest tracker", () => {
  it("turns a product on screen into a view and the time on each part into dwell", async () => {
    const { gate, tracker, clock, sent } = setup(["analytics", "gaze_dwell"]);
    tracker.observe({ product: "aurora-gt", part: "battery" });
    clock.advance(1500);
    tracker.observe({ product: "aurora-gt", part: "motor" });
    clock.advance(100); // too short to count
    tracker.observe(null);
    await gate.flush();
    expect(sent.map((s) => [s.type, s.part ?? "", s.duration_ms ?? 0])).toEqual([
      ["view", "", 0],
      ["dwell", "battery", 1500],
    ]);
    expect(gate.sent).toBe(2);
  });

  it("reports a look with the camera's ray as gaze, and cuts long looks before a flush", async () => {
    const { gate, tracker, clock, sent } = setup(["gaze_dwell"]);
    tracker.observe({ product: "aurora-gt", part: "seat" }, ray);
    clock.advance(2000);
    tracker.cut();
    clock.advance(MIN_DWELL_MS);
    tracker.observe(null);
    await gate.flush();
    expect(sent.map((s) => [s.type, s.duration_ms, s.ray?.direction])).toEqual([
      ["gaze", 2000, [0, 0, 1]],
      ["gaze", MIN_DWELL_MS, [0, 0, 1]],
    ]);
  });

  it("records nothing without consent and forgets the look in progress on a change", async () => {
    const { gate, tracker, clock, sent } = setup([]);
    tracker.observe({ product: "aurora-gt", part: "seat" });
    clock.advance(5000);
    tracker.clicked("aurora-gt");
    // Consent arrives mid-look: only the time after it counts.
    gate.update(new Set<Purpose>(["essential", "gaze_dwell", "analytics"]));
    tracker.restart();
    clock.advance(800);
    tracker.clicked("aurora-gt");
    tracker.observe(null);
    // Withdrawn: the queued dwell never leaves the browser.
    gate.update(new Set<Purpose>(["essential", "analytics"]));
    await gate.flush();
    expect(sent.map((s) => [s.type, s.part])).toEqual([["click", "seat"]]);
    expect(gate.dropped).toBe(3);
  });
});
