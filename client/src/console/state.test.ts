import { describe, expect, it } from "vitest";
import type { ConversationDetail, Message } from "./api";
import { applyFrame, cannedMatches, initialState, mergeMessage, waited } from "./state";

function message(seq: number, body = `m${seq}`): Message {
  return {
    id: `id${seq}`,
    conversation_id: "c1",
    seq,
    author_kind: "customer",
    author_name: "Mia",
    kind: "text",
    channel: "widget",
    internal: false,
    body,
    data: {},
    created_at: "2026-11-29T10:00:00Z",
  };
}

function open(): ConversationDetail {
  return { id: "c1", state: "assigned", messages: [message(1), message(3)], transitions: [] } as unknown as ConversationDetail;
}

describe("console state", () => {
  it("merges messages in order and once", () => {
    const merged = mergeMessage([message(1), message(3)], message(2));
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(mergeMessage(merged, message(2))).toBe(merged);
  });

  it("appends live messages to the open conversation only", () => {
    const state = { ...initialState("u1"), open: open() };
    const next = applyFrame(state, { type: "message", brand: "b", conversation_id: "c1", message: message(4) });
    expect(next.open?.messages.map((m) => m.seq)).toEqual([1, 3, 4]);
    const other = applyFrame(state, { type: "message", brand: "b", conversation_id: "c2", message: message(4) });
    expect(other).toBe(state);
  });

  it("rings for offers made to me and forgets them once taken", () => {
    let state = initialState("u1");
    state = applyFrame(state, { type: "offer", brand: "b", conversation_id: "c9", advisor_id: "u1" });
    expect(state.offers.has("c9")).toBe(true);
    state = { ...state, stale: false };
    state = applyFrame(state, {
      type: "conversation", brand: "b", conversation_id: "c9", from_state: "queued", state: "assigned",
      agent_id: "u2", previous_agent_id: null, reason: "accepted",
    });
    expect(state.offers.has("c9")).toBe(false);
    expect(state.stale).toBe(true);
  });

  it("finds canned responses by shortcut", () => {
    const items = [
      { shortcut: "greet", title: "Greeting" },
      { shortcut: "bye", title: "Goodbye" },
    ];
    expect(cannedMatches(items, "/gr").map((c) => c.shortcut)).toEqual(["greet"]);
    expect(cannedMatches(items, "hello")).toEqual([]);
  });

  it("shows waiting time", () => {
    const now = Date.parse("2026-11-29T10:05:00Z");
    expect(waited("2026-11-29T10:04:30Z", now)).toBe("30 s");
    expect(waited("2026-11-29T10:00:00Z", now)).toBe("5 min");
  });
});
