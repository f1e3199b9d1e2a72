import { describe, expect, it } from "vitest";
import { emptyState, reduce, socketUrl, type WidgetMessage } from "./state";

const msg = (seq: number, kind = "text"): WidgetMessage => ({
  id: `m${seq}`, seq, author_kind: "agent", author_name: "Ava", kind, body: `b${seq}`, data: {},
});

describe("widget state", () => {
  it("resumes from the welcome frame and keeps the token", () => {
    const state = reduce(emptyState, {
      type: "welcome", token: "t1", name: "Mia", conversation: { id: "c1", state: "assigned" }, messages: [msg(1)],
    });
    expect(state.token).toBe("t1");
    expect(state.conversationId).toBe("c1");
    expect(state.messages).toHaveLength(1);
  });

  it("asks for a rating until the customer rates", () => {
    let state = reduce(emptyState, { type: "message", conversation_id: "c1", message: msg(1) });
    state = reduce(state, { type: "message", conversation_id: "c1", message: msg(2, "csat_request") });
    expect(state.askRating).toBe(true);
    state = reduce(state, { type: "message", conversation_id: "c1", message: msg(3, "csat") });
    expect(state.askRating).toBe(false);
  });

  it("ignores duplicates and other conversations", () => {
    let state = reduce(emptyState, { type: "message", conversation_id: "c1", message: msg(1) });
    state = reduce(state, { type: "message", conversation_id: "c1", message: msg(1) });
    state = reduce(state, { type: "message", conversation_id: "c2", message: msg(2) });
    expect(state.messages.map((m) => m.seq)).toEqual([1]);
  });

  it("opens the socket on the script's origin", () => {
    expect(socketUrl("https://cx.example/widget.js", "aurora-motors", "a b|c", "fr")).toBe(
      "wss://cx.example/ws/widget?brand=aurora-motors&locale=fr&token=a+b%7Cc",
    );
  });
});
