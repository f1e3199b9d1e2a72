/**
 * A voice call as the user sees it: plain data and the pure rules that move it on
 * the server's `call_state` frames (docs/protocol.md, "Voice calls"). No WebRTC here,
 * so the rules are tested with Vitest.
 */

import type { CallStateOut } from "../net/protocol.gen";

/** idle: no call; calling: ours rings at the peer; ringing: someone calls us. */
export type CallPhase = "idle" | "calling" | "ringing" | "connecting" | "connected" | "ended";

export interface CallView {
  phase: CallPhase;
  callId: string | null;
  peerId: number | null;
  peerName: string;
  /** We placed the call: we send the offer once it is accepted. */
  outgoing: boolean;
  muted: boolean;
  peerMuted: boolean;
  why: string | null;
  by: string | null;
  duration: number | null;
  /** A refused request (error code), shown until the next action. */
  problem: string | null;
}

export function idleCall(): CallView {
  return {
    phase: "idle",
    callId: null,
    peerId: null,
    peerName: "",
    outgoing: false,
    muted: false,
    peerMuted: false,
    why: null,
    by: null,
    duration: null,
    problem: null,
  };
}

/** The view after a `call_state` frame; frames of another call than ours are ignored. */
export function applyCallState(view: CallView, frame: CallStateOut): CallView {
  const ours = view.callId === frame.call;
  const open = view.phase !== "idle" && view.phase !== "ended";
  if (!ours && open) return view; // the server allows one call at a time; stay with ours
  const base: CallView = ours ? view : { ...idleCall(), callId: frame.call };
  const peer = { peerId: frame.peer, peerName: frame.name, problem: null };
  switch (frame.state) {
    case "ringing":
      return { ...base, ...peer, phase: frame.incoming ? "ringing" : "calling", outgoing: !frame.incoming };
    case "accepted":
      return ours ? { ...base, ...peer, phase: "connecting" } : view;
    case "connected":
      return ours ? { ...base, ...peer, phase: "connected" } : view;
    case "ended":
      return ours
        ? { ...base, ...peer, phase: "ended", why: frame.why ?? null, by: frame.by ?? null, duration: frame.duration ?? 0, muted: false, peerMuted: false }
        : view;
    default:
      return view;
  }
}

/** The id of a call the server says is under way but this page does not hold (the page
 * was reloaded mid-call and resumed its place): it should be hung up, or the other side
 * would wait in silence until its connection fails. */
export function orphanedCall(view: CallView, frame: CallStateOut): string | null {
  const underWay = frame.state === "accepted" || frame.state === "connected";
  return underWay && frame.call !== view.callId && !inCall(view) ? frame.call : null;
}

/** Whether `badge` may be offered a call button by someone with `myBadge`: a customer
 * calls advisors, an advisor calls customers (the server has the final word). */
export function callable(myBadge: string, badge: string): boolean {
  return (myBadge === "customer" && badge === "advisor") || (myBadge === "advisor" && badge === "customer");
}

export function inCall(view: CallView): boolean {
  return view.phase === "calling" || view.phase === "ringing" || view.phase === "connecting" || view.phase === "connected";
}

/** "1 min 05 s" style, for the ended line. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return minutes ? `${minutes} min ${String(rest).padStart(2, "0")} s` : `${rest} s`;
}
