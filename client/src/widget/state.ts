/** The chat widget's state and the frames of /ws/widget: pure, tested without a DOM. */

export interface WidgetMessage {
  id: string;
  seq: number;
  author_kind: string;
  author_name: string;
  kind: string;
  body: string;
  data: Record<string, unknown>;
}

export type ServerFrame =
  | { type: "welcome"; token: string; name: string; conversation: { id: string; state: string } | null; messages: WidgetMessage[] }
  | { type: "conversation"; conversation: { id: string; state: string } }
  | { type: "message"; conversation_id: string; message: WidgetMessage }
  | { type: "state"; conversation_id: string; state: string }
  | { type: "error"; code: string; detail: string }
  | { type: "pong" };

export interface WidgetState {
  token: string;
  conversationId: string | null;
  state: string;
  messages: WidgetMessage[];
  error: string;
  /** The rating request arrived and the customer has not rated yet. */
  askRating: boolean;
}

export const emptyState: WidgetState = { token: "", conversationId: null, state: "bot", messages: [], error: "", askRating: false };

function merge(messages: WidgetMessage[], message: WidgetMessage): WidgetMessage[] {
  if (messages.some((m) => m.id === message.id)) return messages;
  return [...messages, message].sort((a, b) => a.seq - b.seq);
}

export function reduce(state: WidgetState, frame: ServerFrame): WidgetState {
  switch (frame.type) {
    case "welcome":
      return {
        ...state,
        token: frame.token || state.token,
        conversationId: frame.conversation?.id ?? null,
        state: frame.conversation?.state ?? "bot",
        messages: frame.messages,
        askRating: needsRating(frame.messages),
      };
    case "conversation":
      return { ...state, conversationId: frame.conversation.id, state: frame.conversation.state, messages: [], askRating: false };
    case "message": {
      if (state.conversationId && frame.conversation_id !== state.conversationId) return state;
      const messages = merge(state.messages, frame.message);
      return { ...state, conversationId: frame.conversation_id, messages, askRating: needsRating(messages), error: "" };
    }
    case "state":
      return frame.conversation_id === state.conversationId ? { ...state, state: frame.state } : state;
    case "error":
      return { ...state, error: frame.detail };
    default:
      return state;
  }
}

function needsRating(messages: WidgetMessage[]): boolean {
  const asked = messages.some((m) => m.kind === "csat_request");
  const rated = messages.some((m) => m.kind === "csat");
  return asked && !rated;
}

/** Where the widget's socket lives: the origin that served the script. */
export function socketUrl(scriptSrc: string, brand: string, token: string, locale: string): string {
  const origin = new URL(scriptSrc);
  const scheme = origin.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ brand, locale });
  if (token) query.set("token", token);
  return `${scheme}://${origin.host}/ws/widget?${query.toString()}`;
}
