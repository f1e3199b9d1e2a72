/** The console's state and how live frames change it: pure functions, tested without a DOM. */

import type { Conversation, ConversationDetail, Message } from "./api";
import { t } from "./strings";

export type ConsoleFrame =
  | { type: "hello"; user_id: string; status: string }
  | { type: "message"; brand: string; conversation_id: string; message: Message }
  | {
      type: "conversation";
      brand: string;
      conversation_id: string;
      from_state: string | null;
      state: Conversation["state"];
      agent_id: string | null;
      previous_agent_id: string | null;
      reason: string;
    }
  | { type: "offer"; brand: string; conversation_id: string; advisor_id: string }
  | { type: "escalated"; brand: string; conversation_id: string; queue: string; waited_s: number }
  | { type: "presence"; user_id: string; display_name: string; status: string }
  | { type: "dashboard"; brand: string }
  | { type: "pong" };

export interface ConsoleState {
  userId: string;
  queue: Conversation[];
  mine: Conversation[];
  withBot: Conversation[];
  open: ConversationDetail | null;
  offers: Set<string>;
  escalated: Set<string>;
  /** Set when the lists must be fetched again (a conversation changed state). */
  stale: boolean;
}

export function initialState(userId: string): ConsoleState {
  return { userId, queue: [], mine: [], withBot: [], open: null, offers: new Set(), escalated: new Set(), stale: true };
}

/** Insert a message into a transcript in `seq` order, ignoring one already there. */
export function mergeMessage(messages: Message[], message: Message): Message[] {
  if (messages.some((m) => m.id === message.id)) return messages;
  const next = [...messages, message];
  next.sort((a, b) => a.seq - b.seq);
  return next;
}

export function applyFrame(state: ConsoleState, frame: ConsoleFrame): ConsoleState {
  switch (frame.type) {
    case "message": {
      if (state.open?.id !== frame.conversation_id) return state;
      return { ...state, open: { ...state.open, messages: mergeMessage(state.open.messages, frame.message) } };
    }
    case "conversation": {
      const offers = new Set(state.offers);
      if (frame.state !== "queued") offers.delete(frame.conversation_id);
      const open =
        state.open?.id === frame.conversation_id
          ? { ...state.open, state: frame.state, assigned_agent_id: frame.agent_id }
          : state.open;
      return { ...state, offers, open, stale: true };
    }
    case "offer": {
      const offers = new Set(state.offers);
      if (frame.advisor_id === state.userId) offers.add(frame.conversation_id);
      else offers.delete(frame.conversation_id);
      return { ...state, offers };
    }
    case "escalated": {
      const escalated = new Set(state.escalated);
      escalated.add(frame.conversation_id);
      return { ...state, escalated, stale: true };
    }
    default:
      return state;
  }
}

/** Canned responses whose shortcut or title starts with what follows "/" in the draft. */
export function cannedMatches<T extends { shortcut: string; title: string }>(items: T[], draft: string): T[] {
  const match = /^\/([\w-]*)$/.exec(draft.trim());
  if (!match) return [];
  const word = match[1].toLowerCase();
  return items.filter((c) => c.shortcut.startsWith(word) || c.title.toLowerCase().startsWith(word));
}

/** "2 min", "45 s": how long a conversation has waited in the queue, in the console's language. */
export function waited(since: string | null, now: number): string {
  if (!since) return "";
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  return seconds < 120 ? t("waited.seconds", { n: seconds }) : t("waited.minutes", { n: Math.round(seconds / 60) });
}
