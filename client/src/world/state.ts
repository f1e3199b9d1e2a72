/**
 * The world's components: plain data, no three.js objects and no methods. Systems
 * (systems.ts) read and write them in a fixed order every frame; views (views.ts)
 * mirror them into the scene.
 */

import type { ServerFrame } from "../net/protocol.gen";
import { SampleBuffer, type Pose } from "./interpolation";
import type { Bounds, MoveIntent, WalkTarget } from "./movement";
import { createPoses, type TrackedBuffer } from "./tracked";
import { appearanceFor, defaultAppearance, type Appearance } from "./appearance";

export interface AvatarData {
  id: number;
  name: string;
  badge: string;
  color: string;
  /** Body, skin, hair and outfit, from the Look it joined with (or its role's outfit). */
  look: Appearance;
  /** Where the avatar is drawn this frame. */
  pose: Pose;
  samples: SampleBuffer;
  /** False while the server says it is out of our area of interest. */
  inView: boolean;
  /** Smoothed ground speed (m/s) and walk-cycle phase, for the animation. */
  speed: number;
  phase: number;
  prevX: number;
  prevZ: number;
  bubbleText: string;
  bubbleUntil: number;
  emote: string;
  emoteUntil: number;
  /** VR head and hands, once the avatar was first seen in VR (see tracked.ts). */
  tracked: TrackedBuffer | null;
  /** Parts drawn this frame (bit mask; 0 for a walking avatar) and their world poses. */
  trackedMask: number;
  trackedPoses: Float32Array | null;
}

/** The local headset: poses read this frame in the rig's space, and the last ones sent. */
export interface LocalVr {
  mask: number;
  rig: Float32Array;
  sentMask: number;
  sentRig: Float32Array;
}

export interface LocalData {
  id: number | null;
  name: string;
  badge: string;
  color: string;
  look: Appearance;
  pose: Pose;
  /** The pose last sent to the server, which chases `pose` at walking speed. */
  sent: Pose;
  sentAt: number;
  dirty: boolean;
  intent: MoveIntent;
  target: WalkTarget;
  speed: number;
  phase: number;
  bubbleText: string;
  bubbleUntil: number;
  vr: LocalVr;
}

export interface ChatLine {
  id: number;
  name: string;
  badge: string;
  text: string;
  self: boolean;
}

export interface WorldState {
  brand: string;
  zone: string;
  room: string;
  tickHz: number;
  maxSpeed: number;
  bounds: Bounds;
  delay: number;
  local: LocalData;
  avatars: Map<number, AvatarData>;
  /** Frames received since the last tick, applied by the network system in order. */
  inbox: ServerFrame[];
  /** Ids whose views must be created or dropped (filled by systems, drained by views). */
  added: number[];
  removed: number[];
  /** Chat lines and errors for the UI, drained by it. */
  chat: ChatLine[];
  notices: { code: string; msg: string }[];
  welcomed: number;
}

const pose = (): Pose => ({ x: 0, y: 0, z: 0, yaw: 0 });

export function createWorldState(brand: string, zone: string): WorldState {
  return {
    brand,
    zone,
    room: "",
    tickHz: 20,
    maxSpeed: 5,
    bounds: [-1e3, -10, -1e3, 1e3, 10, 1e3],
    delay: 0.125,
    local: {
      id: null,
      name: "",
      badge: "customer",
      color: "#8899aa",
      look: defaultAppearance(),
      pose: pose(),
      sent: pose(),
      sentAt: -Infinity,
      dirty: false,
      intent: { forward: 0, strafe: 0, turn: 0 },
      target: { active: false, x: 0, z: 0 },
      speed: 0,
      phase: 0,
      bubbleText: "",
      bubbleUntil: 0,
      vr: { mask: 0, rig: createPoses(), sentMask: 0, sentRig: createPoses() },
    },
    avatars: new Map(),
    inbox: [],
    added: [],
    removed: [],
    chat: [],
    notices: [],
    welcomed: 0,
  };
}

export function createAvatar(id: number, name: string, badge: string, color: string, look: Appearance = appearanceFor(id)): AvatarData {
  return {
    id,
    name,
    badge,
    color,
    look,
    pose: pose(),
    samples: new SampleBuffer(16),
    inView: false,
    speed: 0,
    phase: 0,
    prevX: 0,
    prevZ: 0,
    bubbleText: "",
    bubbleUntil: 0,
    emote: "",
    emoteUntil: 0,
    tracked: null,
    trackedMask: 0,
    trackedPoses: null,
  };
}
