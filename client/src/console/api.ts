/** The console's HTTP calls, cookie-authenticated with the CSRF header on writes. */

export interface Conversation {
  id: string;
  brand_slug: string;
  channel: string;
  state: "bot" | "queued" | "assigned" | "waiting_on_customer" | "resolved";
  locale: string;
  subject: string;
  customer_name: string;
  customer_email: string | null;
  queue: string | null;
  skills: Record<string, string>;
  priority: number;
  queued_at: string | null;
  escalated_at: string | null;
  assigned_agent_id: string | null;
  assigned_agent_name: string;
  handoff_summary: HandoffSummary;
  world_room: string | null;
  world_avatar_id: number | null;
  message_count: number;
  last_message_at: string;
  created_at: string;
  resolved_at: string | null;
  disposition: string | null;
  csat_score: number | null;
  csat_comment: string | null;
}

export interface HandoffSummary {
  intent?: string | null;
  confidence?: number | null;
  slots?: Record<string, string>;
  verified_identity?: string | null;
  tried?: string[];
  sentiment?: string | null;
  text?: string;
}

export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  author_kind: string;
  author_name: string;
  kind: string;
  channel: string;
  internal: boolean;
  body: string;
  data: Record<string, unknown>;
  created_at: string;
}

export interface Transition {
  from_state: string | null;
  to_state: string;
  actor_kind: string;
  actor_name: string;
  reason: string;
  created_at: string;
}

export interface ConversationDetail extends Conversation {
  messages: Message[];
  transitions: Transition[];
}

export interface Advisor {
  user_id: string;
  display_name: string;
  status: "online" | "away" | "offline";
  capacity: number;
  languages: string[];
  active: number;
}

export interface Canned {
  id: string;
  locale: string;
  shortcut: string;
  title: string;
  body: string;
}

export interface StaffUser {
  id: string;
  display_name: string;
  roles: string[];
  brand_slugs: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function csrf(): string {
  const match = /(?:^|;\s*)vitrina_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrf();
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
    throw new ApiError(response.status, problem.code ?? "http_error", problem.detail ?? response.statusText);
  }
  return (await response.json()) as T;
}

const base = "/api/console";

export const api = {
  login: (email: string, password: string) =>
    call<{ user: StaffUser }>("POST", "/api/auth/login", { email, password }),
  me: () => call<{ kind: string; display_name: string; roles: string[] }>("GET", "/api/auth/me"),
  presence: () => call<Advisor>("GET", `${base}/presence`),
  setPresence: (status: Advisor["status"]) => call<Advisor>("PUT", `${base}/presence`, { status }),
  queue: () => call<Conversation[]>("GET", `${base}/queue`),
  mine: () =>
    call<Conversation[]>("GET", `${base}/conversations?mine=true&state=assigned&state=waiting_on_customer`),
  withBot: () => call<Conversation[]>("GET", `${base}/conversations?state=bot`),
  takeOver: (id: string) =>
    call<Conversation>("POST", `${base}/conversations/${id}/handoff`, { reason: "taken over by a supervisor" }),
  advisors: () => call<Advisor[]>("GET", `${base}/advisors`),
  detail: (id: string) => call<ConversationDetail>("GET", `${base}/conversations/${id}`),
  history: (id: string) => call<Conversation[]>("GET", `${base}/customers/${id}/history`),
  accept: (id: string) => call<Conversation>("POST", `${base}/conversations/${id}/accept`),
  reply: (id: string, body: string) => call<Message>("POST", `${base}/conversations/${id}/messages`, { body }),
  note: (id: string, body: string) => call<Message>("POST", `${base}/conversations/${id}/notes`, { body }),
  handBack: (id: string) => call<Conversation>("POST", `${base}/conversations/${id}/hand-back`),
  resolve: (id: string, disposition: string) =>
    call<Conversation>("POST", `${base}/conversations/${id}/resolve`, { disposition }),
  transfer: (id: string, target: { queue?: string; advisor_id?: string }) =>
    call<Conversation>("POST", `${base}/conversations/${id}/transfer`, { ...target, reason: "transferred" }),
  canned: (brand: string, locale: string) =>
    call<Canned[]>("GET", `${base}/canned?brand=${encodeURIComponent(brand)}&locale=${encodeURIComponent(locale)}`),
  joinWorld: (id: string) => call<{ url: string }>("POST", `${base}/conversations/${id}/join-world`),
  call: (id: string, event: "started" | "ended" | "failed", duration_s?: number) =>
    call<Message>("POST", `${base}/conversations/${id}/calls`, { event, duration_s }),
};
