/**
 * What the consent UI and the trackers decide, without the DOM: which purposes are in
 * force, whether to ask, and a signal buffer that only ever holds consented signals.
 */

import {
  OPTIONAL_PURPOSES,
  type ConsentState,
  type IngestResult,
  type Purpose,
  type Signal,
  type SignalType,
} from "./api";

export const PURPOSE_OF_SIGNAL: Record<SignalType, Purpose> = {
  dwell: "gaze_dwell",
  gaze: "gaze_dwell",
  click: "analytics",
  view: "analytics",
};

export type Choices = Record<Purpose, boolean>;

export function allChoices(granted: boolean): Partial<Choices> {
  const out: Partial<Choices> = {};
  for (const p of OPTIONAL_PURPOSES) out[p] = granted;
  return out;
}

/** Purposes in force now, from the server's answer; essential always is. */
export function inForce(state: ConsentState | null): Set<Purpose> {
  const set = new Set<Purpose>(["essential"]);
  for (const s of state?.purposes ?? []) if (s.in_force) set.add(s.purpose);
  return set;
}

/** The current choices to pre-fill the detailed form: nothing optional is pre-ticked. */
export function currentChoices(state: ConsentState | null): Choices {
  const choices: Choices = {
    essential: true,
    analytics: false,
    personalisation: false,
    gaze_dwell: false,
    marketing: false,
  };
  for (const s of state?.purposes ?? []) if (s.purpose !== "essential") choices[s.purpose] = s.in_force;
  return choices;
}

/**
 * Buffers interaction signals and sends them in batches, but only while their purpose
 * is in force: a signal without consent is never even queued, and a withdrawal drops
 * what was queued for that purpose before it could leave the browser.
 */
export class SignalGate {
  private allowed = new Set<Purpose>(["essential"]);
  private queue: Signal[] = [];
  dropped = 0;

  /** `send` resolves with the server's verdict, or null when the channel gives none
   * (the world socket: the server gates the frame and answers nothing). */
  constructor(
    private readonly send: (events: Signal[]) => Promise<IngestResult | null>,
    readonly maxBatch = 200,
  ) {}

  sent = 0;

  update(allowed: Set<Purpose>): void {
    this.allowed = new Set(allowed);
    const before = this.queue.length;
    this.queue = this.queue.filter((s) => this.allowed.has(PURPOSE_OF_SIGNAL[s.type]));
    this.dropped += before - this.queue.length;
  }

  allows(type: SignalType): boolean {
    return this.allowed.has(PURPOSE_OF_SIGNAL[type]);
  }

  /** Queue a signal if its purpose is in force; returns whether it was kept. */
  record(signal: Signal): boolean {
    if (!this.allows(signal.type)) {
      this.dropped += 1;
      return false;
    }
    this.queue.push(signal);
    return true;
  }

  get pending(): number {
    return this.queue.length;
  }

  async flush(): Promise<IngestResult> {
    const total: IngestResult = { accepted: 0, rejected: {} };
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const result = await this.send(batch);
      this.sent += batch.length;
      if (result === null) continue;
      total.accepted += result.accepted;
      for (const [reason, n] of Object.entries(result.rejected)) {
        total.rejected[reason] = (total.rejected[reason] ?? 0) + n;
      }
    }
    return total;
  }
}
