import { describe, expect, it } from "vitest";

import { PrivacyApi, type ConsentState, type IngestResult, type Signal } from "./api";
import { allChoices, currentChoices, inForce, SignalGate } from "./model";
import { PRIVACY_STRINGS } from "./strings";

const now = "2026-11-29T20:00:00+00:00";
const sig = (type: Signal["type"]): Signal => ({ type, product: "aurora-e", part: "seat", at: now, duration_ms: 500 });

function state(inForceList: string[]): ConsentState {
  return {
    subject: "guest:1",
    prompt_needed: false,
    purposes: ["essential", "analytics", "personalisation", "gaze_dwell", "marketing"].map((p) => ({
      purpose: p as ConsentState["purposes"][number]["purpose"],
      granted: inForceList.includes(p),
      in_force: p === "essential" || inForceList.includes(p),
      text_version: 1,
      current_version: 1,
      recorded_at: now,
    })),
  };
}

describe("consent choices", () => {
  it("accepting and refusing cover exactly the optional purposes", () => {
    expect(allChoices(true)).toEqual({ analytics: true, personalisation: true, gaze_dwell: true, marketing: true });
    expect(allChoices(false)).toEqual({ analytics: false, personalisation: false, gaze_dwell: false, marketing: false });
  });

  it("nothing optional is pre-ticked for a new visitor; essential always is", () => {
    expect(currentChoices(null)).toEqual({
      essential: true,
      analytics: false,
      personalisation: false,
      gaze_dwell: false,
      marketing: false,
    });
    expect([...inForce(null)]).toEqual(["essential"]);
    expect(inForce(state(["gaze_dwell"])).has("gaze_dwell")).toBe(true);
  });
});

describe("SignalGate", () => {
  function gate(): { gate: SignalGate; sent: Signal[][] } {
    const sent: Signal[][] = [];
    const g = new SignalGate(async (events): Promise<IngestResult> => {
      sent.push(events);
      return { accepted: events.length, rejected: {} };
    }, 3);
    return { gate: g, sent };
  }

  it("queues nothing before consent", async () => {
    const { gate: g, sent } = gate();
    expect(g.record(sig("dwell"))).toBe(false);
    expect(g.record(sig("click"))).toBe(false);
    expect(g.pending).toBe(0);
    await g.flush();
    expect(sent).toEqual([]);
    expect(g.dropped).toBe(2);
  });

  it("keeps each signal type behind its own purpose and sends in batches", async () => {
    const { gate: g, sent } = gate();
    g.update(inForce(state(["gaze_dwell"])));
    for (let i = 0; i < 4; i++) g.record(sig("gaze"));
    expect(g.record(sig("click"))).toBe(false);
    const result = await g.flush();
    expect(result.accepted).toBe(4);
    expect(sent.map((b) => b.length)).toEqual([3, 1]);
  });

  it("a withdrawal drops what was queued for that purpose, not the others", () => {
    const { gate: g } = gate();
    g.update(inForce(state(["gaze_dwell", "analytics"])));
    g.record(sig("dwell"));
    g.record(sig("click"));
    g.update(inForce(state(["analytics"])));
    expect(g.pending).toBe(1);
    expect(g.allows("dwell")).toBe(false);
    expect(g.allows("view")).toBe(true);
  });
});

describe("PrivacyApi", () => {
  it("sends choices with the CSRF header and reports problems with their code", async () => {
    const calls: [string, RequestInit][] = [];
    const api = new PrivacyApi(
      "aurora-motors",
      async (url, init) => {
        calls.push([url, init]);
        if (init.method === "PUT") return new Response(JSON.stringify(state(["marketing"])), { status: 200 });
        return new Response(JSON.stringify({ code: "subject_erased", detail: "gone" }), { status: 409 });
      },
      () => "csrf-1",
    );
    const next = await api.setConsents({ marketing: true }, "storefront_3d");
    expect(inForce(next).has("marketing")).toBe(true);
    const [url, init] = calls[0];
    expect(url).toBe("/api/privacy/brands/aurora-motors/consents");
    expect((init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-1");
    expect(JSON.parse(init.body as string)).toEqual({ choices: { marketing: true }, channel: "storefront_3d" });
    await expect(api.fileRequest("access")).rejects.toMatchObject({ status: 409, code: "subject_erased" });
  });
});

describe("privacy strings", () => {
  it("every key exists in English, French and Italian", () => {
    const keys = Object.keys(PRIVACY_STRINGS.en).sort();
    for (const locale of ["fr", "it"] as const) {
      expect(Object.keys(PRIVACY_STRINGS[locale]).sort()).toEqual(keys);
      for (const key of keys) expect(PRIVACY_STRINGS[locale][key as keyof typeof PRIVACY_STRINGS.en]).not.toBe("");
    }
  });
});
