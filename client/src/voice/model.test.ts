import { describe, expect, it } from "vitest";
import type { CallStateOut } from "../net/protocol.gen";
import { applyCallState, callable, formatDuration, idleCall, inCall, orphanedCall } from "./model";

const frame = (state: CallStateOut["state"], extra: Partial<CallStateOut> = {}): CallStateOut => ({
  t: "call_state",
  v: 1,
  call: "c1",
  state,
  peer: 7,
  name: "Ava",
  ...extra,
});

describe("call state", () => {
  it("hangs up a call under way that a reloaded page no longer holds", () => {
    expect(orphanedCall(idleCall(), frame("connected"))).toBe("c1");
    expect(orphanedCall(idleCall(), frame("accepted"))).toBe("c1");
    // Ours, resumed after a dropped socket: it goes on.
    const ours = applyCallState(applyCallState(idleCall(), frame("ringing")), frame("connected"));
    expect(orphanedCall(ours, frame("connected"))).toBeNull();
    // A new call ringing, or one that ended, is no orphan.
    expect(orphanedCall(idleCall(), frame("ringing", { incoming: true }))).toBeNull();
    expect(orphanedCall(idleCall(), frame("ended"))).toBeNull();
  });

  it("follows an outgoing call from ringing to ended", () => {
    let view = applyCallState(idleCall(), frame("ringing"));
    expect(view).toMatchObject({ phase: "calling", outgoing: true, callId: "c1", peerName: "Ava" });
    view = applyCallState(view, frame("accepted"));
    expect(view.phase).toBe("connecting");
    view = applyCallState(view, frame("connected"));
    expect(inCall(view)).toBe(true);
    view = applyCallState({ ...view, muted: true }, frame("ended", { why: "hangup", by: "Ava", duration: 65 }));
    expect(view).toMatchObject({ phase: "ended", why: "hangup", by: "Ava", duration: 65, muted: false });
    expect(inCall(view)).toBe(false);
  });

  it("rings for an incoming call, and a new call replaces an ended one", () => {
    const ended = { ...applyCallState(idleCall(), frame("ringing", { incoming: true })), phase: "ended" as const };
    const next = applyCallState(ended, frame("ringing", { call: "c2", incoming: true, name: "Mia" }));
    expect(next).toMatchObject({ phase: "ringing", outgoing: false, callId: "c2", peerName: "Mia", why: null });
  });

  it("ignores frames of another call while one is open", () => {
    const open = applyCallState(idleCall(), frame("ringing"));
    expect(applyCallState(open, frame("ended", { call: "other", why: "hangup" }))).toBe(open);
    expect(applyCallState(idleCall(), frame("accepted", { call: "stale" })).phase).toBe("idle");
  });

  it("offers calls between customers and advisors only", () => {
    expect(callable("customer", "advisor")).toBe(true);
    expect(callable("advisor", "customer")).toBe(true);
    expect(callable("customer", "customer")).toBe(false);
    expect(callable("customer", "bot")).toBe(false);
    expect(callable("advisor", "advisor")).toBe(false);
  });

  it("formats durations", () => {
    expect(formatDuration(4.6)).toBe("5 s");
    expect(formatDuration(65)).toBe("1 min 05 s");
  });
});
