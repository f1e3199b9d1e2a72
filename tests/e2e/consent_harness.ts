// Mounts the privacy modules over the running storefront exactly as the storefront does:
// one import, a container, the brand and the locale. Built by test_consent.py.
import { mountConsentPrompt, mountPrivacyCentre, PrivacyApi, SignalGate } from "../../client/src/privacy";

declare global {
  interface Window {
    __privacy: {
      allowed: string[];
      changes: number;
      gate: SignalGate;
      openCentre: () => Promise<void>;
      dwell: () => Promise<{ kept: boolean; accepted: number; rejected: Record<string, number> }>;
    };
  }
}

const mode = document.body.dataset.mode === "3d" ? "storefront_3d" : "storefront_2d";
const api = new PrivacyApi("aurora-motors");
const gate = new SignalGate((events) => api.sendSignals(events));
const state = {
  allowed: [] as string[],
  changes: 0,
  gate,
  async openCentre() {
    const box = document.createElement("div");
    box.className = "e2e-centre";
    document.body.append(box);
    await mountPrivacyCentre(box, { brand: "aurora-motors", locale: "en", pollMs: 100, onChange });
  },
  async dwell() {
    const kept = gate.record({
      type: "dwell",
      product: "aurora-e",
      part: "seat",
      at: new Date().toISOString(),
      duration_ms: 1200,
    });
    const result = await gate.flush();
    return { kept, ...result };
  },
};

function onChange(allowed: Set<string>): void {
  state.allowed = [...allowed].sort();
  state.changes += 1;
  gate.update(allowed as Set<never>);
}

window.__privacy = state;
void mountConsentPrompt(document.body, {
  brand: "aurora-motors",
  locale: document.documentElement.lang || "en",
  channel: mode,
  onChange,
});
