/**
 * `window.__vitrina`: a read-mostly hook for browser tests and benchmarks (avatar
 * positions, connection state, price shown, a part's material colour, frame times).
 */

import type { App } from "./app";

export interface DebugHook {
  connection(): string;
  mode(): string;
  ready(): number | null;
  self(): { id: number | null; name: string; x: number; z: number; yaw: number; zone: string };
  avatars(): { id: number; name: string; badge: string; x: number; z: number; inView: boolean }[];
  price(): string | null;
  quotes(): number;
  inspecting(): string | null;
  materialColor(productSlug: string, name: string): string | null;
  twins(): string[];
  standOnScreen(productSlug: string): { x: number; y: number } | null;
  frames(): { intervalMs: number; workMs: number; samples: number };
  resetFrames(): void;
  drawCalls(): number;
  chatLines(): string[];
  spoken(): number;
  marks(): Record<string, number>;
}

declare global {
  interface Window {
    __vitrina?: DebugHook;
  }
}

export function installDebugHook(app: App): void {
  const panel = () => app.inspectPanel ?? app.plain.panel;
  window.__vitrina = {
    connection: () => app.connection.state,
    mode: () => app.mode,
    ready: () => app.readyAt,
    self: () => {
      const l = app.world.local;
      return { id: l.id, name: l.name, x: l.pose.x, z: l.pose.z, yaw: l.pose.yaw, zone: app.world.zone };
    },
    avatars: () =>
      [...app.world.avatars.values()].map((a) => ({ id: a.id, name: a.name, badge: a.badge, x: a.pose.x, z: a.pose.z, inView: a.inView })),
    price: () => panel()?.lastQuote?.total ?? null,
    quotes: () => panel()?.quotes ?? 0,
    inspecting: () => app.stage?.inspecting ?? null,
    materialColor: (slug, name) => app.stage?.materialColor(slug, name) ?? null,
    twins: () => [...(app.stage?.twins.keys() ?? [])],
    standOnScreen: (slug) => app.stage?.standOnScreen(slug) ?? null,
    frames: () => app.frameStats(),
    resetFrames: () => void (app.frameCount = 0),
    drawCalls: () => app.stage?.renderer.info.render.calls ?? 0,
    chatLines: () => [...app.chat.log.querySelectorAll(".chat-text")].map((n) => n.textContent ?? ""),
    spoken: () => app.speaker.spoken,
    marks: () => Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)])),
  };
}
