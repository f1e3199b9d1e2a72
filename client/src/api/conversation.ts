/** The customer's own conversation over HTTP: the transcript to show again after a reload
 * or a reconnection, and the rating of a resolved conversation. */

import { getJson, postJson } from "./http";

export interface ConversationMessage {
  seq: number;
  author_kind: "customer" | "bot" | "agent" | "supervisor" | "system";
  author_name: string;
  kind: string;
  body: string;
}

export interface CurrentConversation {
  conversation: { id: string; state: string; messages: ConversationMessage[] } | null;
  survey_pending: boolean;
}

export const fetchCurrent = (brand: string): Promise<CurrentConversation> =>
  getJson<CurrentConversation>(`/api/conversations/current?brand=${encodeURIComponent(brand)}`);

export const sendRating = (conversationId: string, score: number, comment: string): Promise<unknown> =>
  postJson(`/api/conversations/${encodeURIComponent(conversationId)}/csat`, {
    score,
    comment: comment.trim() || null,
  });

/** A transcript line as the chat panel shows it: who, with which role colour, and what. */
export interface HistoryLine {
  name: string;
  badge: string;
  text: string;
  self: boolean;
}

const BADGES: Record<ConversationMessage["author_kind"], string> = {
  customer: "customer",
  bot: "bot",
  agent: "advisor",
  supervisor: "advisor",
  system: "bot",
};

/** The lines a customer saw: what they and the others said, and the service's notices. */
export function historyLines(messages: readonly ConversationMessage[], botName: string): HistoryLine[] {
  return messages
    .filter((m) => m.kind !== "note" && m.body.trim() !== "")
    .map((m) => ({
      name: m.author_kind === "system" ? botName : m.author_name,
      badge: BADGES[m.author_kind] ?? "customer",
      text: m.body,
      self: m.author_kind === "customer",
    }));
}
