import { describe, expect, it } from "vitest";
import { duration, extent, frameAt, paths, positionAt, type ReplayEvent } from "./replay";

let seq = 0;
function ev(at: number, who: string, kind: string, line = "", detail: Record<string, unknown> = {}): ReplayEvent {
  seq += 1;
  return { seq, at, who, kind, line, detail };
}

const session: ReplayEvent[] = [
  ev(0, "system", "start"),
  ev(0.5, "customer", "move", "", { x: 0, z: 0 }),
  ev(1, "customer", "say", "My car is three weeks late!"),
  ev(4.5, "customer", "move", "", { x: 4, z: -2 }),
  ev(5, "trainee", "move", "", { x: 1, z: 1 }),
  ev(6, "trainee", "say", "I'm so sorry, let me check your order."),
  ev(20, "system", "end"),
];

describe("a rehearsal played back", () => {
  it("puts each party between the two places it was seen, in proportion to the time", () => {
    const walked = paths(session);
    expect(positionAt(walked.customer, 0)).toEqual({ x: 0, z: 0 });
    expect(positionAt(walked.customer, 2.5)).toEqual({ x: 2, z: -1 });
    expect(positionAt(walked.customer, 10)).toEqual({ x: 4, z: -2 });
    // The trainee is not on the map before being seen.
    expect(frameAt(session, 2).positions.trainee).toEqual({ x: 1, z: 1 });
    expect(positionAt([], 1)).toBeNull();
  });

  it("shows what was said as it is said, then lets it go", () => {
    expect(frameAt(session, 0.9).caption).toBeNull();
    expect(frameAt(session, 1).caption?.line).toBe("My car is three weeks late!");
    expect(frameAt(session, 6.2).caption?.who).toBe("trainee");
    expect(frameAt(session, 13).caption).toBeNull();
    expect(frameAt(session, 5).shown).toBe(5);
    expect(frameAt(session, 100).shown).toBe(session.length);
    // Two events at one moment: right after the first, the second is not said yet.
    const both = [ev(0, "customer", "say", "first"), ev(0, "trainee", "say", "second")];
    expect(frameAt(both, 0, paths(both), 0).caption?.line).toBe("first");
    expect(frameAt(both, 0).caption?.line).toBe("second");
  });

  it("lasts until the last event and frames every place walked", () => {
    expect(duration(session)).toBe(20);
    const box = extent(session);
    expect(box.minX).toBeLessThanOrEqual(0);
    expect(box.minX + box.width).toBeGreaterThanOrEqual(4);
    expect(box.minZ).toBeLessThanOrEqual(-2);
    expect(box.minZ + box.depth).toBeGreaterThanOrEqual(1);
    expect(extent([ev(0, "system", "start")]).width).toBeGreaterThanOrEqual(4);
  });
});
