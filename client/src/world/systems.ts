/**
 * The world's systems, one function each, called by the frame tick in this order:
 * input -> network (apply received frames) -> prediction -> network (send) ->
 * interpolation -> animation (tracking, the VR headset's poses, is part of input). None of them allocates in the steady state; none
 * touches three.js, so all are tested with Vitest.
 */

import { fromLook } from "./appearance";
import type { OutFrame } from "../net/codec";
import { readEntry, type EntryView } from "../net/codec";
import type { Presence, ServerFrame } from "../net/protocol.gen";
import type { InputState } from "./input";
import { interpolationDelay } from "./interpolation";
import { stepLocal, walkSpeed } from "./movement";
import { createAvatar, type AvatarData, type WorldState } from "./state";
import { ALL_PARTS, createPoses, HEAD, LEFT, posesChanged, readTrackedEntry, RIGHT, TrackedBuffer, worldPose, type PoseSource } from "./tracked";

export const SEND_INTERVAL = 1 / 15; // s; under the server's 20 Hz limit with room for jitter
export const BUBBLE_SECONDS = 6;
const TURN_SPEED = 2.2; // rad/s for the arrow keys
const LOOK_SPEED = 0.005; // rad per dragged pixel

// ------------------------------------------------------------------ input

export function inputSystem(world: WorldState, input: InputState): void {
  const keys = input.keys;
  const intent = world.local.intent;
  let forward = 0;
  let strafe = 0;
  let turn = 0;
  if (keys.has("KeyW") || keys.has("ArrowUp")) forward += 1;
  if (keys.has("KeyS") || keys.has("ArrowDown")) forward -= 1;
  if (keys.has("KeyD")) strafe += 1;
  if (keys.has("KeyA")) strafe -= 1;
  if (keys.has("ArrowLeft") || keys.has("KeyQ")) turn += TURN_SPEED;
  if (keys.has("ArrowRight") || keys.has("KeyE")) turn -= TURN_SPEED;
  forward += -input.joyY;
  strafe += input.joyX;
  intent.forward = Math.max(-1, Math.min(1, forward));
  intent.strafe = Math.max(-1, Math.min(1, strafe));
  intent.turn = turn;
  if (input.lookDX !== 0) {
    world.local.pose.yaw -= input.lookDX * LOOK_SPEED;
    world.local.dirty = true;
    input.lookDX = 0;
  }
  if (input.walkTo.active) {
    world.local.target.active = true;
    world.local.target.x = input.walkTo.x;
    world.local.target.z = input.walkTo.z;
    input.walkTo.active = false;
  }
}

// ------------------------------------------------------------------ tracking (VR input)

/**
 * Reads the headset's poses (nothing outside immersive VR) and marks the local avatar
 * for sending when they changed by more than 1 cm or about a degree, or when the
 * headset came or went (a move without poses tells the others we left VR).
 */
export function trackingSystem(world: WorldState, source: PoseSource | null): void {
  const vr = world.local.vr;
  vr.mask = source ? source.read(vr.rig) & ALL_PARTS : 0;
  if (world.local.id === null) return;
  if (posesChanged(vr.rig, vr.mask, vr.sentRig, vr.sentMask)) world.local.dirty = true;
}

// ------------------------------------------------------------------ network in

const entry: EntryView = { id: 0, x: 0, y: 0, z: 0, yaw: 0 };
const trackedScratch = createPoses();

function addPresence(world: WorldState, who: Presence): AvatarData | null {
  if (who.id === world.local.id) return null;
  let avatar = world.avatars.get(who.id);
  if (!avatar) {
    avatar = createAvatar(who.id, who.name, who.badge, who.look.color ?? "#8899aa", fromLook(who.look, who.badge, who.id));
    world.avatars.set(who.id, avatar);
    world.added.push(who.id);
  } else {
    avatar.name = who.name;
    avatar.badge = who.badge;
    avatar.look = fromLook(who.look, who.badge, who.id); // a visitor who changed their look rejoins with it
  }
  return avatar;
}

function removeAvatar(world: WorldState, id: number): void {
  if (world.avatars.delete(id)) world.removed.push(id);
}

function applyEntries(world: WorldState, entries: readonly unknown[], now: number): void {
  const step = 1 / world.tickHz;
  for (let i = 0; i < entries.length; i += 1) {
    if (!readEntry(entries[i], entry)) continue;
    if (entry.id === world.local.id) continue; // our own echo: prediction already has it
    let avatar = world.avatars.get(entry.id);
    if (!avatar) {
      avatar = createAvatar(entry.id, "…", "customer", "#8899aa");
      world.avatars.set(entry.id, avatar);
      world.added.push(entry.id);
    }
    const fresh = !avatar.inView;
    if (fresh) {
      avatar.samples.clear();
      avatar.inView = true;
      avatar.prevX = entry.x;
      avatar.prevZ = entry.z;
    }
    avatar.samples.push(now, entry.x, entry.y, entry.z, entry.yaw, step * 1.5, step);
    // VR poses: a ring is made the first time the avatar shows up in VR, then every
    // entry goes in (with mask 0 once it left VR, so its hands disappear on time).
    const mask = readTrackedEntry(entries[i] as unknown[], trackedScratch);
    if (mask !== 0 && avatar.tracked === null) {
      avatar.tracked = new TrackedBuffer(16);
      avatar.trackedPoses = createPoses();
    }
    if (avatar.tracked !== null) {
      if (fresh) avatar.tracked.clear();
      avatar.tracked.push(now, mask, trackedScratch, step * 1.5, step);
    }
  }
}

function welcome(world: WorldState, frame: Extract<ServerFrame, { t: "welcome" }>, now: number): void {
  for (const id of world.avatars.keys()) world.removed.push(id);
  world.avatars.clear();
  const local = world.local;
  local.id = frame.id;
  world.room = frame.room;
  world.zone = frame.zone;
  world.tickHz = frame.tick_hz;
  world.maxSpeed = frame.max_speed;
  world.bounds = frame.bounds;
  world.delay = interpolationDelay(frame.tick_hz);
  let placed = false;
  for (const who of frame.who) {
    if (who.id === frame.id) {
      local.name = who.name;
      local.badge = who.badge;
      local.color = who.look.color ?? local.color;
      local.look = fromLook(who.look, who.badge, who.id);
    } else {
      addPresence(world, who);
    }
  }
  for (const e of frame.u) {
    if (readEntry(e, entry) && entry.id === frame.id) {
      local.pose.x = entry.x;
      local.pose.y = entry.y;
      local.pose.z = entry.z;
      local.pose.yaw = entry.yaw;
      placed = true;
    }
  }
  if (!placed) {
    local.pose.x = frame.spawn[0];
    local.pose.y = frame.spawn[1];
    local.pose.z = frame.spawn[2];
  }
  local.sent.x = local.pose.x;
  local.sent.y = local.pose.y;
  local.sent.z = local.pose.z;
  local.sent.yaw = local.pose.yaw;
  local.target.active = false;
  applyEntries(world, frame.u, now);
  world.welcomed += 1;
}

export function networkReceiveSystem(world: WorldState, now: number): void {
  const inbox = world.inbox;
  for (let i = 0; i < inbox.length; i += 1) {
    const frame = inbox[i];
    switch (frame.t) {
      case "welcome":
        welcome(world, frame, now);
        break;
      case "enter":
        for (const who of frame.who) {
          const avatar = addPresence(world, who);
          if (avatar && Array.isArray(who.s)) applyEntries(world, [who.s], now);
        }
        break;
      case "exit":
        removeAvatar(world, frame.id);
        break;
      case "snap":
        if (frame.u) applyEntries(world, frame.u, now);
        for (const id of frame.g ?? []) {
          const avatar = world.avatars.get(id);
          if (avatar) avatar.inView = false;
        }
        break;
      case "correct": {
        const local = world.local;
        local.pose.x = local.sent.x = frame.p[0];
        local.pose.y = local.sent.y = frame.p[1];
        local.pose.z = local.sent.z = frame.p[2];
        local.pose.yaw = local.sent.yaw = frame.r;
        local.target.active = false;
        break;
      }
      case "chat": {
        const self = frame.id === world.local.id;
        const speaker = self ? null : world.avatars.get(frame.id);
        world.chat.push({
          id: frame.id,
          name: frame.name,
          badge: self ? world.local.badge : (speaker?.badge ?? "customer"),
          text: frame.text,
          self,
        });
        if (self) {
          world.local.bubbleText = frame.text;
          world.local.bubbleUntil = now + BUBBLE_SECONDS;
        } else if (speaker) {
          speaker.bubbleText = frame.text;
          speaker.bubbleUntil = now + BUBBLE_SECONDS;
        }
        break;
      }
      case "emote": {
        const avatar = world.avatars.get(frame.id);
        if (avatar) {
          avatar.emote = frame.name;
          avatar.emoteUntil = now + 2;
        }
        break;
      }
      case "error":
        world.notices.push({ code: frame.code, msg: frame.msg });
        break;
      default:
        break; // pong and call frames are handled elsewhere or carry nothing for the scene
    }
  }
  inbox.length = 0;
}

// ------------------------------------------------------------------ prediction

export function predictionSystem(world: WorldState, dt: number): void {
  const local = world.local;
  if (local.id === null) return;
  const moved = stepLocal(local.pose, local.intent, local.target, dt, walkSpeed(world.maxSpeed), world.bounds);
  if (moved) local.dirty = true;
}

// ------------------------------------------------------------------ network out

/**
 * Sends the local pose at most 15 times a second. The sent pose moves towards the
 * predicted one at no more than the server's speed limit, so a VR teleport is
 * replayed to the server as a fast walk instead of being refused.
 */
export function networkSendSystem(world: WorldState, now: number, send: (frame: OutFrame) => boolean): void {
  const local = world.local;
  if (local.id === null || !local.dirty || now - local.sentAt < SEND_INTERVAL) return;
  const elapsed = Math.min(now - local.sentAt, 0.25);
  const sent = local.sent;
  const dx = local.pose.x - sent.x;
  const dz = local.pose.z - sent.z;
  const dist = Math.hypot(dx, dz);
  const reach = world.maxSpeed * 0.9 * elapsed;
  const k = dist > reach ? reach / dist : 1;
  const x = sent.x + dx * k;
  const z = sent.z + dz * k;
  const frame: OutFrame = { t: "move", p: [round2(x), round2(local.pose.y), round2(z)], r: round3(local.pose.yaw) };
  const vr = local.vr;
  if (vr.mask !== 0) {
    // Poses go out around the position being sent, which trails a teleport.
    const y = local.pose.y;
    const yaw = local.pose.yaw;
    frame.h = vr.mask & (1 << HEAD) ? worldPose(vr.rig, HEAD, x, y, z, yaw) : null;
    frame.lh = vr.mask & (1 << LEFT) ? worldPose(vr.rig, LEFT, x, y, z, yaw) : null;
    frame.rh = vr.mask & (1 << RIGHT) ? worldPose(vr.rig, RIGHT, x, y, z, yaw) : null;
  }
  if (!send(frame)) return;
  sent.x = x;
  sent.z = z;
  sent.yaw = local.pose.yaw;
  vr.sentRig.set(vr.rig);
  vr.sentMask = vr.mask;
  local.sentAt = now;
  local.dirty = k < 1;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

// ------------------------------------------------------------------ interpolation

export function interpolationSystem(world: WorldState, now: number): void {
  const renderTime = now - world.delay;
  for (const avatar of world.avatars.values()) {
    if (!avatar.inView) continue;
    avatar.samples.sample(renderTime, avatar.pose);
    if (avatar.tracked !== null && avatar.trackedPoses !== null) {
      avatar.trackedMask = avatar.tracked.sample(renderTime, avatar.trackedPoses);
    }
  }
}

// ------------------------------------------------------------------ animation

const WALK_CYCLE = 7; // rad per metre walked

export function animationSystem(world: WorldState, dt: number): void {
  if (dt <= 0) return;
  for (const avatar of world.avatars.values()) {
    const d = Math.hypot(avatar.pose.x - avatar.prevX, avatar.pose.z - avatar.prevZ);
    avatar.prevX = avatar.pose.x;
    avatar.prevZ = avatar.pose.z;
    avatar.speed += (d / dt - avatar.speed) * Math.min(1, dt * 8);
    avatar.phase = (avatar.phase + d * WALK_CYCLE) % (Math.PI * 2);
  }
  const local = world.local;
  const moving = local.intent.forward !== 0 || local.intent.strafe !== 0 || local.target.active;
  const speed = moving ? walkSpeed(world.maxSpeed) : 0;
  local.speed += (speed - local.speed) * Math.min(1, dt * 8);
  local.phase = (local.phase + local.speed * dt * WALK_CYCLE) % (Math.PI * 2);
}
