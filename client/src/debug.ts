/**
 * `window.__vitrina`: a read-mostly hook for browser tests and benchmarks (avatar
 * positions, connection state, price shown, a part's material colour, frame times).
 * Its one input, `injectPoses`, stands in for a VR headset, which headless browsers lack.
 */

import type { App } from "./app";
import { HEAD, headingOf, LEFT, POSE, RIGHT } from "./world/tracked";
import { FixedPoseSource } from "./world/xr";
import { isTierName, ratioFor, TIERS } from "./world/quality";
import { ACESFilmicToneMapping, AgXToneMapping, NoToneMapping } from "three";

const TONE_MAPPING: Record<number, string> = { [NoToneMapping]: "none", [ACESFilmicToneMapping]: "aces", [AgXToneMapping]: "agx" };

type Vec3 = [number, number, number];
/** A pose in the rig's space: [x, y, z, qx, qy, qz, qw]. */
type InjectedPose = [number, number, number, number, number, number, number];

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
  /** The voice call as the panel shows it, and whether the microphone is sending. */
  call(): { phase: string; peer: string; muted: boolean; peerMuted: boolean; why: string | null; by: string | null; micOn: boolean };
  /** Audio RTP bytes received and sent, and the received audio's energy (getStats). */
  callStats(): Promise<{ inboundBytes: number; outboundBytes: number; inboundEnergy: number }>;
  /** Head and hand poses as if from a headset, until called with null. */
  injectPoses(parts: { head?: InjectedPose; left?: InjectedPose; right?: InjectedPose } | null): void;
  /** A remote avatar's VR parts as drawn this frame (world positions, head heading), or null. */
  tracked(id: number): { head: Vec3 | null; left: Vec3 | null; right: Vec3 | null; headYaw: number | null } | null;
  /** Where the crowd's VR hands are drawn this frame. */
  handsDrawn(): Vec3[];
  /** Fixes the 3D view's pixel ratio (null: adaptive again), to see what the pixel count costs. */
  pinPixelRatio(ratio: number | null): void;
  pixelRatio(): number;
  /** How the 3D view renders now: tone mapping, environment map, shadows, tier. */
  renderInfo(): RenderInfo | null;
  /** renderInfo() as it was when the store became interactive. */
  renderInfoAtReady(): RenderInfo | null;
  /** Fixes the quality tier (null: adaptive again). */
  pinTier(tier: string | null): void;
  /** Puts the visitor at a point of the room, facing `yaw` (reference views start from a known spot). */
  standAt(x: number, z: number, yaw: number): void;
  /** Hides every avatar, one's own included, from the 3D view (false: shows them again). */
  hideAvatars(hidden: boolean): void;
}

declare global {
  interface Window {
    __vitrina?: DebugHook;
  }
}

export function installDebugHook(app: App): void {
  // What the first interactive frame drew with, before frame times could change the tier.
  let atReady: RenderInfo | null = null;
  void app.interactive.then(() => (atReady = describeRender(app)));
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
    call: () => {
      const v = app.voice.call.view;
      return { phase: v.phase, peer: v.peerName, muted: v.muted, peerMuted: v.peerMuted, why: v.why, by: v.by, micOn: app.voice.call.micOn() };
    },
    callStats: () => app.voice.call.stats(),
    injectPoses: (parts) => {
      if (parts === null) {
        if (app.posesOverride) app.posesOverride.mask = 0; // one pose-less move says VR ended
        return;
      }
      const source = app.posesOverride ?? new FixedPoseSource();
      source.mask = 0;
      const entries: [number, InjectedPose | undefined][] = [[HEAD, parts.head], [LEFT, parts.left], [RIGHT, parts.right]];
      for (const [part, pose] of entries) {
        if (!pose) continue;
        source.poses.set(pose, part * POSE);
        source.mask |= 1 << part;
      }
      app.posesOverride = source;
    },
    tracked: (id) => {
      const a = app.world.avatars.get(id);
      if (!a?.trackedPoses || a.trackedMask === 0) return null;
      const poses = a.trackedPoses;
      const at = (part: number): Vec3 | null =>
        a.trackedMask & (1 << part) ? [poses[part * POSE], poses[part * POSE + 1], poses[part * POSE + 2]] : null;
      return { head: at(HEAD), left: at(LEFT), right: at(RIGHT), headYaw: a.trackedMask & 1 ? headingOf(poses, HEAD) : null };
    },
    handsDrawn: () => app.stage?.crowd.handsDrawn() ?? [],
    pinPixelRatio: (ratio) => {
      app.pinnedPixelRatio = ratio;
      if (ratio !== null) app.stage?.renderer.setPixelRatio(ratio);
    },
    pixelRatio: () => app.stage?.renderer.getPixelRatio() ?? 0,
    renderInfo: () => describeRender(app),
    renderInfoAtReady: () => atReady,
    standAt: (x, z, yaw) => {
      const pose = app.world.local.pose;
      pose.x = x;
      pose.z = z;
      pose.yaw = yaw;
    },
    hideAvatars: (hidden) => {
      if (app.stage) app.stage.avatarsHidden = hidden;
    },
    pinTier: (tier) => {
      app.pinnedPixelRatio = null;
      if (tier === null || !isTierName(tier)) return;
      app.quality.tier = tier;
      app.quality.pixelRatio = ratioFor(TIERS[tier], window.devicePixelRatio || 1);
      app.pinnedPixelRatio = app.quality.pixelRatio;
      app.stage?.setTier(TIERS[tier]);
      app.stage?.renderer.setPixelRatio(app.quality.pixelRatio);
    },
  };
}

interface RenderInfo {
  toneMapping: string;
  environment: boolean;
  shadows: boolean;
  shadowCasters: number;
  antialias: boolean;
  pixelRatio: number;
  devicePixelRatio: number;
  tier: string;
  programs: number;
  /** Triangles drawn in the last frame. */
  triangles: number;
  /** The shader programs compiled so far, by material type ("MeshLambertMaterial ×3"). */
  programKinds: string[];
}

function describeRender(app: App): RenderInfo | null {
  const stage = app.stage;
  if (!stage) return null;
  const r = stage.renderer;
  let casters = 0;
  stage.scene.traverse((o) => void (o.castShadow && (o as { isMesh?: boolean }).isMesh && (casters += 1)));
  return {
    toneMapping: TONE_MAPPING[r.toneMapping] ?? String(r.toneMapping),
    environment: stage.scene.environment !== null,
    shadows: r.shadowMap.enabled && stage.lighting.key.castShadow,
    shadowCasters: casters,
    antialias: r.getContext().getContextAttributes()?.antialias ?? false,
    pixelRatio: r.getPixelRatio(),
    devicePixelRatio: window.devicePixelRatio,
    tier: stage.tier.name,
    programs: r.info.programs?.length ?? 0,
    triangles: r.info.render.triangles,
    programKinds: kinds((r.info.programs ?? []).map((p) => String((p as { type?: string }).type))),
  };
}

function kinds(names: string[]): string[] {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n));
}
