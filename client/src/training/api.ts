/** Advisor training over HTTP (docs/training.md), on the console's staff session. */

import { call } from "../console/api";

export interface ScenarioSummary {
  slug: string;
  title: string;
  summary: string;
  difficulty: string;
  persona: string;
  mood: string;
  zone: string;
  products: string[];
}

export interface Line {
  seq: number;
  at: number;
  who: "customer" | "trainee" | "system";
  line: string;
  escalation: boolean;
}

export interface Evidence {
  seq: number;
  at: number;
  text: string;
}

export interface ItemScore {
  id: string;
  kind: string;
  title: string;
  points: number;
  earned: number;
  passed: boolean;
  reason: string;
  evidence: Evidence | null;
}

export interface Score {
  earned: number;
  total: number;
  percent: number;
  items: ItemScore[];
}

export interface Comment {
  id: string;
  author: string;
  remark: string;
  seq: number | null;
  created_at: string;
}

export interface Session {
  id: string;
  brand: string;
  scenario: string;
  title: string;
  summary: string;
  persona: string;
  mood: string;
  language: string;
  state: "assigned" | "running" | "ended";
  trainee_id: string;
  zone: string | null;
  created_at: string;
  ended_at: string | null;
  outcome: string | null;
  transcript: Line[];
  score: Score | null;
  revealed: { goal: string; hidden_facts: string[]; path: string[] } | null;
  comments: Comment[];
}

export interface Problem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export interface DryRun {
  path: string[];
  outcome: string | null;
  turns: { who: string; text: string; at: number; step: string; intent: string | null; labels: string[]; criteria: string[] }[];
  score: Score;
}

export interface Progress {
  trainee_id: string;
  sessions: number;
  average_percent: number | null;
  points: { session_id: string; scenario: string; ended_at: string | null; percent: number | null; outcome: string | null }[];
  items: Record<string, number>;
}

const enc = encodeURIComponent;
const base = "/api/training";

export const trainingApi = {
  me: () => call<{ kind: string; display_name: string; roles: string[]; brand_slugs: string[] }>("GET", "/api/auth/me"),
  brands: () => call<{ slug: string; name: string }[]>("GET", "/api/brands"),
  scenarios: (brand: string, language: string) =>
    call<ScenarioSummary[]>("GET", `${base}/brands/${enc(brand)}/scenarios?language=${enc(language)}`),
  source: (brand: string, slug: string) => call<{ source: string }>("GET", `${base}/brands/${enc(brand)}/scenarios/${enc(slug)}`),
  save: (brand: string, slug: string, source: string) =>
    call<{ source: string }>("PUT", `${base}/brands/${enc(brand)}/scenarios/${enc(slug)}`, { source }),
  validate: (brand: string, source: string) =>
    call<{ valid: boolean; problems: Problem[] }>("POST", `${base}/brands/${enc(brand)}/scenarios/validate`, { source }),
  dryRun: (brand: string, source: string, language: string, replies: string[]) =>
    call<DryRun>("POST", `${base}/brands/${enc(brand)}/scenarios/dry-run`, {
      source,
      language,
      replies: replies.map((text) => ({ text })),
    }),
  create: (brand: string, scenario: string, language: string) =>
    call<Session>("POST", `${base}/sessions`, { brand, scenario, language }),
  sessions: (brand: string) => call<Session[]>("GET", `${base}/sessions?brand=${enc(brand)}`),
  session: (id: string) => call<Session>("GET", `${base}/sessions/${enc(id)}`),
  start: (id: string) => call<Session>("POST", `${base}/sessions/${enc(id)}/start`),
  reply: (id: string, text: string) => call<Session>("POST", `${base}/sessions/${enc(id)}/replies`, { text }),
  end: (id: string) => call<Session>("POST", `${base}/sessions/${enc(id)}/end`),
  replay: (id: string) =>
    call<{ session: Session; events: { seq: number; at: number; who: string; kind: string; line: string; detail: Record<string, unknown> }[] }>(
      "GET",
      `${base}/sessions/${enc(id)}/replay`,
    ),
  comment: (id: string, remark: string, seq: number | null) =>
    call<Comment>("POST", `${base}/sessions/${enc(id)}/comments`, { remark, seq }),
  progress: (brand: string, trainee?: string) =>
    call<Progress>("GET", `${base}/progress?brand=${enc(brand)}${trainee ? `&trainee=${enc(trainee)}` : ""}`),
  /** The brand's advisors, with their names (staff directory of the console). */
  advisors: () => call<{ user_id: string; display_name: string; brand_slugs: string[] }[]>("GET", "/api/console/advisors"),
};
