/**
 * Interest tracking without the DOM: what the visitor has in front of them (a product,
 * and the part its explainer shows), sampled by the clock, becomes `view` signals when a
 * product comes up and `dwell` (2D) or `gaze` (3D, with the camera's ray) signals for the
 * time spent on a part. Everything goes through the SignalGate, so nothing is even
 * queued for a purpose that is not in force.
 */

import type { Signal } from "./api";
import type { SignalGate } from "./model";

export interface Attention {
  product: string;
  part: string | null;
}

export interface Ray {
  origin: [number, number, number];
  direction: [number, number, number];
}

/** Shorter looks are noise (passing the mouse over, stepping through quickly). */
export const MIN_DWELL_MS = 300;
/** The server refuses longer dwells; a long look is reported in slices by `cut`. */
export const MAX_DWELL_MS = 600_000;

const iso = (ms: number): string => new Date(ms).toISOString();

export class InterestTracker {
  private product: string | null = null;
  private part: string | null = null;
  private since = 0;
  private ray: Ray | null = null;

  constructor(
    private readonly gate: SignalGate,
    private readonly clock: () => number = Date.now,
  ) {}

  /** What is on screen now (null: nothing, or the page is hidden), and where the eyes point. */
  observe(now: Attention | null, ray: Ray | null = null): void {
    const product = now?.product ?? null;
    const part = now?.part ?? null;
    if (product === this.product && part === this.part) {
      if (ray) this.ray = ray;
      return;
    }
    const t = this.clock();
    this.endLook(t);
    if (product !== null && product !== this.product) this.gate.record({ type: "view", product, at: iso(t) });
    this.product = product;
    this.part = part;
    this.since = t;
    this.ray = ray;
  }

  /** A click inside a product's panel (an option, a step), on the part it shows. */
  clicked(product: string): void {
    const part = product === this.product ? (this.part ?? "") : "";
    this.gate.record({ type: "click", product, part, at: iso(this.clock()) });
  }

  /** Report the look in progress so far (before a flush), and keep watching. */
  cut(): void {
    const t = this.clock();
    this.endLook(t);
    this.since = t;
  }

  /** Consent changed: time spent before the change never counts. */
  restart(): void {
    this.since = this.clock();
  }

  private endLook(t: number): void {
    if (this.product === null || !this.part) return;
    const duration = Math.min(t - this.since, MAX_DWELL_MS);
    if (duration < MIN_DWELL_MS) return;
    const look: Omit<Signal, "type"> = { product: this.product, part: this.part, at: iso(this.since), duration_ms: duration };
    this.gate.record(this.ray ? { type: "gaze", ...look, ray: this.ray } : { type: "dwell", ...look });
  }
}
