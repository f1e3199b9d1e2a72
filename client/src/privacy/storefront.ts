/**
 * Privacy in the storefront, for the 3D and the 2D mode alike: the consent prompt is
 * mounted before any tracker runs, the Privacy centre opens from a button the storefront
 * places in its toolbar and in the 2D view, and interest signals (views, dwell, gaze,
 * clicks) are sampled from what the visitor has on screen and sent over the world
 * socket, only for the purposes in force. A withdrawal stops them at once: the gate
 * drops what was queued and the look in progress is forgotten.
 */

import type { Camera } from "three";
import { Vector3 } from "three";
import type { InterestSample } from "../net/protocol.gen";
import { el } from "../ui/dom";
import { PrivacyApi, type Channel, type Purpose, type Signal } from "./api";
import { mountPrivacyCentre, type CentreHandle } from "./centre";
import { SignalGate } from "./model";
import { mountConsentPrompt } from "./prompt";
import { pt } from "./strings";
import { InterestTracker, type Attention, type Ray } from "./tracker";

/** The world accepts up to 50 samples per `interest` frame (docs/protocol.md). */
export const SAMPLES_PER_FRAME = 50;
const SAMPLE_MS = 250;
const FLUSH_MS = 3000;

export interface StorefrontPrivacyOptions {
  brand: string;
  locale: () => string;
  channel: () => Channel;
  /** Sends an `interest` frame over the world socket; false when it is not connected. */
  send: (frame: { t: "interest"; s: InterestSample[] }) => boolean;
  /** The product panel on screen now (the 3D inspector's or the 2D view's), or null. */
  panel: () => ShownProduct | null;
  /** The 3D camera while a product is inspected in 3D (its ray makes dwell a gaze). */
  camera?: () => Camera | null;
}

/** What the tracker reads from a product panel: the product and the explainer step shown. */
export interface ShownProduct {
  readonly product: { slug: string };
  readonly currentExplainer: { part: string } | null;
}

export interface PrivacyDebug {
  allowed(): string[];
  sent(): number;
  dropped(): number;
  pending(): number;
  flush(): Promise<void>;
}

declare global {
  interface Window {
    __privacy?: PrivacyDebug;
  }
}

function sample(signal: Signal): InterestSample {
  const out: InterestSample = { type: signal.type, product: signal.product, at: Date.parse(signal.at) };
  if (signal.part) out.part = signal.part;
  if (signal.duration_ms !== undefined) out.duration_ms = signal.duration_ms;
  if (signal.ray) out.ray = signal.ray;
  return out;
}

export class StorefrontPrivacy {
  readonly api: PrivacyApi;
  readonly gate: SignalGate;
  readonly tracker: InterestTracker;
  allowed = new Set<Purpose>(["essential"]);
  private timers: number[] = [];
  private centre: CentreHandle | null = null;
  private readonly overlay: HTMLElement;
  private readonly position = new Vector3();
  private readonly direction = new Vector3();

  constructor(private readonly options: StorefrontPrivacyOptions) {
    this.api = new PrivacyApi(options.brand);
    // Over the world socket when connected; the batch API otherwise. Same gate on the server.
    this.gate = new SignalGate(async (events) => {
      if (options.send({ t: "interest", s: events.map(sample) })) return null;
      return this.api.sendSignals(events);
    }, SAMPLES_PER_FRAME);
    this.tracker = new InterestTracker(this.gate);
    this.overlay = el("div", { class: "vp-overlay", role: "dialog", "aria-modal": "true", hidden: true, "data-testid": "privacy-overlay" });
    window.__privacy = {
      allowed: () => [...this.allowed].sort(),
      sent: () => this.gate.sent,
      dropped: () => this.gate.dropped,
      pending: () => this.gate.pending,
      flush: () => this.flush(),
    };
  }

  /** Ask first; trackers start afterwards and record nothing optional until answered. */
  async mount(container: HTMLElement): Promise<void> {
    container.append(this.overlay);
    try {
      await mountConsentPrompt(container, {
        brand: this.options.brand,
        locale: this.options.locale(),
        channel: this.options.channel(),
        onChange: (allowed) => this.changed(allowed),
      });
    } catch (error) {
      // Without an answer nothing optional is allowed, so no tracker needs to run.
      console.warn("consent prompt not available", error);
      return;
    }
    this.timers.push(
      window.setInterval(() => this.sample(), SAMPLE_MS),
      window.setInterval(() => void this.flush(), FLUSH_MS),
    );
    document.addEventListener("click", this.onClick, true);
    document.addEventListener("visibilitychange", this.onHidden);
  }

  /** A "Privacy centre" button; the storefront puts one in its toolbar and one in the 2D view. */
  centreButton(testId = "privacy-centre-open"): HTMLButtonElement {
    const button = el("button", { type: "button", class: "privacy-open", "data-testid": testId }, pt(this.options.locale(), "centre.title"));
    button.addEventListener("click", () => void this.openCentre());
    return button;
  }

  async openCentre(): Promise<void> {
    this.centre?.destroy();
    const locale = this.options.locale();
    const close = el("button", { type: "button", class: "vp-link", "data-testid": "privacy-centre-close" }, pt(locale, "centre.close"));
    close.addEventListener("click", () => this.closeCentre());
    this.overlay.replaceChildren(close);
    this.overlay.hidden = false;
    this.centre = await mountPrivacyCentre(this.overlay, {
      brand: this.options.brand,
      locale,
      onChange: (allowed) => this.changed(allowed),
      api: this.api,
    });
    close.focus();
  }

  closeCentre(): void {
    this.centre?.destroy();
    this.centre = null;
    this.overlay.hidden = true;
  }

  async flush(): Promise<void> {
    this.tracker.cut();
    await this.gate.flush().catch((error: unknown) => console.warn("signals not sent", error));
  }

  dispose(): void {
    for (const id of this.timers) window.clearInterval(id);
    this.timers = [];
    document.removeEventListener("click", this.onClick, true);
    document.removeEventListener("visibilitychange", this.onHidden);
  }

  private changed(allowed: Set<Purpose>): void {
    this.allowed = new Set(allowed);
    this.gate.update(this.allowed);
    this.tracker.restart();
  }

  private sample(): void {
    const panel = document.hidden ? null : this.options.panel();
    const now: Attention | null = panel ? { product: panel.product.slug, part: panel.currentExplainer?.part ?? null } : null;
    this.tracker.observe(now, now ? this.gaze() : null);
  }

  private gaze(): Ray | null {
    const camera = this.options.camera?.();
    if (!camera) return null;
    camera.getWorldPosition(this.position);
    camera.getWorldDirection(this.direction);
    const p = this.position;
    const d = this.direction;
    return { origin: [p.x, p.y, p.z], direction: [d.x, d.y, d.z] };
  }

  private readonly onClick = (event: MouseEvent): void => {
    const target = event.target instanceof Element ? event.target : null;
    const panel = target?.closest<HTMLElement>(".product-panel[data-product]");
    if (panel && target?.closest("button, input, label")) this.tracker.clicked(panel.dataset.product ?? "");
  };

  private readonly onHidden = (): void => {
    if (document.hidden) void this.flush();
  };
}
