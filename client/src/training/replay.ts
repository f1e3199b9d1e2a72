/** A rehearsal played back: a top-down map of the training room with the trainee and the
 * scripted customer where they were at each moment, what was said as it was said, and a
 * transcript that follows the playhead. Play, pause, change speed, or drag to any moment. */

import { el, clear } from "../ui/dom";
import { t, type ConsoleKey } from "../console/strings";

export interface ReplayEvent {
  seq: number;
  at: number;
  who: string;
  kind: string;
  line: string;
  detail: Record<string, unknown>;
}

export interface Point {
  x: number;
  z: number;
}

export interface Frame {
  /** Where each party stands at that moment (only those who have been seen somewhere). */
  positions: Record<string, Point>;
  /** How many events have happened by then. */
  shown: number;
  /** The last line said by then, if said within the caption's time. */
  caption: ReplayEvent | null;
}

const CAPTION_S = 6;
const WHO = ["trainee", "customer"] as const;

function pointOf(e: ReplayEvent): Point | null {
  const { x, z } = e.detail;
  return typeof x === "number" && typeof z === "number" ? { x, z } : null;
}

/** The path of each party: its move events as (time, point), in time order. */
export function paths(events: ReplayEvent[]): Record<string, { at: number; point: Point }[]> {
  const out: Record<string, { at: number; point: Point }[]> = {};
  for (const e of events) {
    if (e.kind !== "move") continue;
    const point = pointOf(e);
    if (point) (out[e.who] ??= []).push({ at: e.at, point });
  }
  for (const list of Object.values(out)) list.sort((a, b) => a.at - b.at);
  return out;
}

/** Linear between the two known points around `at`; the first point before, the last after. */
export function positionAt(path: { at: number; point: Point }[], at: number): Point | null {
  if (!path.length) return null;
  if (at <= path[0].at) return path[0].point;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1];
    const b = path[i];
    if (at <= b.at) {
      const span = b.at - a.at;
      const f = span > 0 ? (at - a.at) / span : 1;
      return { x: a.point.x + (b.point.x - a.point.x) * f, z: a.point.z + (b.point.z - a.point.z) * f };
    }
  }
  return path[path.length - 1].point;
}

/** The frame at `at`; with `upTo`, as it was right after event number `upTo` (0-based),
 * even when later events share its moment. */
export function frameAt(events: ReplayEvent[], at: number, walked = paths(events), upTo = Infinity): Frame {
  const positions: Record<string, Point> = {};
  for (const [who, path] of Object.entries(walked)) {
    const p = positionAt(path, at);
    if (p) positions[who] = p;
  }
  let shown = 0;
  let caption: ReplayEvent | null = null;
  for (const [i, e] of events.entries()) {
    if (e.at > at || i > upTo) break;
    shown += 1;
    if (e.kind === "say") caption = e;
  }
  if (caption && at - caption.at > CAPTION_S) caption = null;
  return { positions, shown, caption };
}

export function duration(events: ReplayEvent[]): number {
  return events.reduce((end, e) => Math.max(end, e.at), 0);
}

/** The map's extent: every point walked, with a margin, never smaller than 4 m a side. */
export function extent(events: ReplayEvent[]): { minX: number; minZ: number; width: number; depth: number } {
  const points = events.map(pointOf).filter((p): p is Point => p !== null);
  if (!points.length) return { minX: -5, minZ: -5, width: 10, depth: 10 };
  const xs = points.map((p) => p.x);
  const zs = points.map((p) => p.z);
  const margin = 2;
  const minX = Math.min(...xs) - margin;
  const minZ = Math.min(...zs) - margin;
  return {
    minX,
    minZ,
    width: Math.max(Math.max(...xs) + margin - minX, 4),
    depth: Math.max(Math.max(...zs) + margin - minZ, 4),
  };
}

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export class ReplayPlayer {
  readonly root: HTMLElement;
  private readonly walked: ReturnType<typeof paths>;
  private readonly end: number;
  private readonly scrub: HTMLInputElement;
  private readonly play: HTMLButtonElement;
  private readonly clock: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly dots: Record<string, SVGGElement> = {};
  private readonly items: HTMLElement[] = [];
  private at = 0;
  private speed = 1;
  private running = false;
  private last = 0;

  constructor(private readonly events: ReplayEvent[], describe: (e: ReplayEvent) => string) {
    this.walked = paths(events);
    this.end = duration(events);
    const box = extent(events);
    const map = svg("svg", {
      viewBox: `${box.minX} ${box.minZ} ${box.width} ${box.depth}`,
      class: "replay-map",
      role: "img",
      "aria-label": t("training.replayMap"),
    });
    map.append(svg("rect", { x: box.minX, y: box.minZ, width: box.width, height: box.depth, class: "replay-floor" }));
    const radius = Math.max(box.width, box.depth) / 40;
    for (const who of WHO) {
      const dot = svg("g", { class: `replay-dot replay-${who}`, "data-who": who });
      dot.append(svg("circle", { r: radius, cx: 0, cy: 0 }));
      const label = svg("text", { x: radius * 1.4, y: radius * 0.5, "font-size": radius * 1.6 });
      label.textContent = t(`training.who.${who}` as ConsoleKey);
      dot.append(label);
      map.append(dot);
      this.dots[who] = dot;
    }
    this.play = el("button", { type: "button", "data-testid": "replay-play" }, t("training.play")) as HTMLButtonElement;
    this.play.addEventListener("click", () => (this.running ? this.pause() : this.start()));
    const speeds = el("select", { "aria-label": t("training.speed"), "data-testid": "replay-speed" }, ...[1, 2, 4].map((s) => el("option", { value: String(s) }, `${s}×`))) as HTMLSelectElement;
    speeds.addEventListener("change", () => (this.speed = Number(speeds.value) || 1));
    this.scrub = el("input", {
      type: "range",
      min: "0",
      // Whole tenths, so that the step never leaves the last moment out of reach.
      max: String(Math.ceil(this.end * 10) / 10),
      step: "0.1",
      value: "0",
      "aria-label": t("training.position"),
      "data-testid": "replay-scrub",
    }) as HTMLInputElement;
    this.scrub.addEventListener("input", () => this.seek(Number(this.scrub.value)));
    this.clock = el("span", { class: "replay-clock", "data-testid": "replay-clock" });
    this.caption = el("p", { class: "replay-caption", role: "status", "data-testid": "replay-caption" });
    const transcript = el("ol", { class: "training-events", "data-testid": "training-replay" });
    for (const e of events) {
      const item = el("li", { "data-seq": e.seq }, describe(e));
      const index = this.items.length;
      item.addEventListener("click", () => {
        this.pause();
        this.seek(e.at, index);
      });
      this.items.push(item);
      transcript.append(item);
    }
    this.root = el(
      "div",
      { class: "replay", "data-testid": "replay-player" },
      map,
      el("div", { class: "replay-controls" }, this.play, speeds, this.scrub, this.clock),
      this.caption,
      transcript,
    );
    this.seek(0);
  }

  seek(at: number, upTo = Infinity): void {
    this.at = Math.min(Math.max(at, 0), this.end);
    const frame = frameAt(this.events, this.at, this.walked, upTo);
    for (const who of WHO) {
      const p = frame.positions[who];
      const dot = this.dots[who];
      dot.style.display = p ? "" : "none";
      if (p) {
        dot.setAttribute("transform", `translate(${p.x} ${p.z})`);
        dot.dataset.x = p.x.toFixed(2);
        dot.dataset.z = p.z.toFixed(2);
      }
    }
    this.items.forEach((item, i) => {
      item.dataset.past = String(i < frame.shown);
      item.toggleAttribute("aria-current", i === frame.shown - 1);
    });
    clear(this.caption);
    if (frame.caption) {
      this.caption.append(el("strong", {}, t(`training.who.${frame.caption.who === "trainee" ? "trainee" : "customer"}` as ConsoleKey)), " ", frame.caption.line);
    }
    this.scrub.value = String(this.at);
    this.clock.textContent = `${this.at.toFixed(1)} / ${this.end.toFixed(1)} s`;
    this.root.dataset.at = this.at.toFixed(2);
  }

  start(): void {
    if (this.at >= this.end) this.seek(0);
    this.running = true;
    this.play.textContent = t("training.pause");
    this.last = performance.now();
    requestAnimationFrame((now) => this.tick(now));
  }

  pause(): void {
    this.running = false;
    this.play.textContent = t("training.play");
  }

  private tick(now: number): void {
    if (!this.running || !this.root.isConnected) return;
    this.seek(this.at + ((now - this.last) / 1000) * this.speed);
    this.last = now;
    if (this.at >= this.end) {
      this.pause();
      return;
    }
    requestAnimationFrame((next) => this.tick(next));
  }
}
