import { describe, expect, it } from "vitest";
import type { OutFrame } from "../net/codec";
import type { ServerFrame } from "../net/protocol.gen";
import { createInput } from "./input";
import { createWorldState } from "./state";
import { networkReceiveSystem } from "./systems";
import { worldTick } from "./tick";
import { createPoses, headingOf, HEAD, LEFT, POSE, readTrackedEntry, RIGHT, TrackedBuffer, worldPose, type PoseSource } from "./tracked";

/** A headset without a headset: the test moves the parts, the systems read them each frame. */
class FakeXrFrames implements PoseSource {
  mask = 0;
  readonly poses = createPoses();
  reads = 0;

  set(part: number, x: number, y: number, z: number, yaw = 0): void {
    const o = part * POSE;
    this.poses.set([x, y, z, 0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)], o);
    this.mask |= 1 << part;
  }

  read(out: Float32Array): number {
    this.reads += 1;
    out.set(this.poses);
    return this.mask;
  }
}

const look = { color: "#123456" };
const welcome: ServerFrame = {
  t: "welcome", v: 1, id: 1, room: "aurora/showroom#1", brand: "aurora", zone: "showroom", shard: 1,
  token: "tok", tick_hz: 20, bounds: [-20, 0, -20, 20, 6, 20], radius: 10, spawn: [0, 0, 0], max_speed: 5,
  who: [{ id: 1, name: "Me", badge: "customer", look }, { id: 2, name: "Vera", badge: "customer", look }],
  u: [[1, 200, 0, 300, 0, null], [2, 0, 0, 0, 0, null]],
};

function joined() {
  const world = createWorldState("aurora", "showroom");
  const sent: OutFrame[] = [];
  const send = (f: OutFrame) => (sent.push(f), true);
  const input = createInput();
  world.inbox.push(welcome);
  worldTick(world, input, 0, 0, send);
  const moves = () => sent.filter((f): f is Extract<OutFrame, { t: "move" }> => f.t === "move");
  return { world, send, input, moves };
}

describe("sending the headset's poses", () => {
  it("sends nothing extra outside VR and no poses in moves", () => {
    const { world, input, send, moves } = joined();
    world.local.intent.forward = 1;
    input.keys.add("KeyW");
    for (let i = 1; i <= 30; i += 1) worldTick(world, input, i / 60, 1 / 60, send, new FakeXrFrames());
    expect(moves().length).toBeGreaterThan(3);
    for (const m of moves()) expect(m.h ?? m.lh ?? m.rh).toBeUndefined();
  });

  it("sends world poses around the body while in VR, only when they change, and says when VR ends", () => {
    const { world, input, send, moves } = joined();
    const xr = new FakeXrFrames();
    xr.set(HEAD, 0, 1.6, 0);
    xr.set(LEFT, -0.25, 1.1, -0.3);
    xr.set(RIGHT, 0.25, 1.1, -0.3);
    let t = 0;
    const frames = (n: number) => {
      for (let i = 0; i < n; i += 1) {
        t += 1 / 60;
        worldTick(world, input, t, 1 / 60, send, xr);
      }
    };
    frames(60); // one second standing still in VR
    expect(xr.reads).toBe(60);
    expect(moves()).toHaveLength(1);
    const first = moves()[0];
    expect(first.p).toEqual([2, 0, 3]);
    expect(first.h).toEqual([2, 1.6, 3, 0, 0, 0, 1]);
    expect(first.lh?.slice(0, 3)).toEqual([1.75, 1.1, 2.7]);
    expect(first.rh?.slice(0, 3)).toEqual([2.25, 1.1, 2.7]);

    // Sub-centimetre jitter is not worth a frame.
    xr.set(RIGHT, 0.253, 1.102, -0.3);
    frames(30);
    expect(moves()).toHaveLength(1);

    // The head turns a quarter over a second: a frame every fourth or fifth frame (at most 15 a second).
    for (let i = 1; i <= 60; i += 1) {
      xr.set(HEAD, 0, 1.6, 0, (i / 60) * (Math.PI / 2));
      frames(1);
    }
    frames(10); // the last turn goes out once the rate allows, then nothing more
    const turning = moves().length - 1;
    expect(turning).toBeGreaterThanOrEqual(10);
    expect(turning).toBeLessThanOrEqual(16);
    const last = moves().at(-1)!;
    expect(last.h![4]).toBeCloseTo(Math.sin(Math.PI / 4), 3);

    // Taking the headset off: one move without poses, then silence.
    xr.mask = 0;
    frames(30);
    const after = moves().slice(1 + turning);
    expect(after).toHaveLength(1);
    expect(after[0].h ?? after[0].lh ?? after[0].rh).toBeUndefined();
  });

  it("turns rig poses with the body's heading and keeps them within the server's reach", () => {
    const rig = createPoses();
    rig.set([0, 1.5, -1, 0, 0, 0, 1], RIGHT * POSE);
    // body at (10, 0, 10) facing +x (yaw -90 deg): the hand 1 m ahead is at x = 11
    const p = worldPose(rig, RIGHT, 10, 0, 10, -Math.PI / 2);
    expect(p[0]).toBeCloseTo(11, 3);
    expect(p[1]).toBeCloseTo(1.5, 3);
    expect(p[2]).toBeCloseTo(10, 3);
    expect(headingOf(new Float32Array([0, 0, 0, ...p.slice(3)]), 0)).toBeCloseTo(-Math.PI / 2, 3);
    // a player walked 4 m across a large play area: the pose stays within 2.5 m
    rig.set([4, 1.6, 0, 0, 0, 0, 1], HEAD * POSE);
    const far = worldPose(rig, HEAD, 0, 0, 0, 0);
    expect(Math.hypot(far[0], far[1], far[2])).toBeLessThanOrEqual(2.5);
  });
});

describe("remote avatars' poses", () => {
  const q = (yaw: number) => [0, Math.round(Math.sin(yaw / 2) * 32767), 0, Math.round(Math.cos(yaw / 2) * 32767)];

  it("reads quantised entries, ignoring malformed parts", () => {
    const out = createPoses();
    expect(readTrackedEntry([2, 0, 0, 0, 0, null], out)).toBe(0);
    const mask = readTrackedEntry([2, 0, 0, 0, 0, null, [10, 170, -20, ...q(0)], null, [30, 120, "x", 0, 0, 0, 32767]], out);
    expect(mask).toBe(1 << HEAD);
    expect(Array.from(out.slice(0, 7)).map((v) => Math.round(v * 100) / 100)).toEqual([0.1, 1.7, -0.2, 0, 0, 0, 1]);
    expect(readTrackedEntry([2, 0, 0, 0, 0, null, [0, 0, 0, 0, 0, 0, 0], null, null], out)).toBe(0);
  });

  it("interpolates hands and turns the head between snapshots, and drops them after VR", () => {
    const buffer = new TrackedBuffer(8);
    const a = createPoses();
    a.set([0, 1.7, 0, 0, 0, 0, 1], 0);
    a.set([0.3, 1.0, 0, 0, 0, 0, 1], RIGHT * POSE);
    const b = createPoses();
    b.set([0, 1.7, 0, 0, Math.sin(Math.PI / 4), 0, Math.cos(Math.PI / 4)], 0);
    b.set([0.3, 2.0, 0, 0, 0, 0, 1], RIGHT * POSE);
    const both = (1 << HEAD) | (1 << RIGHT);
    buffer.push(1, both, a, 0.075, 0.05);
    buffer.push(1.05, both, b, 0.075, 0.05);
    buffer.push(1.1, 0, b, 0.075, 0.05);
    const out = createPoses();
    expect(buffer.sample(1.025, out)).toBe(both);
    expect(out[RIGHT * POSE + 1]).toBeCloseTo(1.5, 5);
    expect(headingOf(out, HEAD)).toBeCloseTo(Math.PI / 4, 2); // half of the quarter turn
    expect(buffer.sample(1.2, out)).toBe(0); // left VR: nothing to draw
  });

  it("reaches the avatar through snapshots and the interpolation system", () => {
    const { world, input, send } = joined();
    const entry = (handY: number) => [2, 0, 0, 0, 0, null, [0, 170, 0, ...q(0)], null, [30, handY, -20, ...q(0)]];
    for (let k = 0; k < 6; k += 1) {
      world.inbox.push({ t: "snap", v: 1, k, u: [entry(100 + k * 20)] });
      worldTick(world, input, 1 + k * 0.05, 0.05, send);
    }
    const vera = world.avatars.get(2)!;
    expect(vera.trackedMask).toBe((1 << HEAD) | (1 << RIGHT));
    // drawn 125 ms behind the newest snapshot (k = 5 at t = 1.25): between k = 2 and 3
    expect(vera.trackedPoses![RIGHT * POSE + 1]).toBeCloseTo(1.5, 2);
    world.inbox.push({ t: "snap", v: 1, k: 7, u: [[2, 0, 0, 0, 0, null]] });
    networkReceiveSystem(world, 1.3);
    worldTick(world, input, 1.6, 0.05, send);
    expect(vera.trackedMask).toBe(0);
  });
});
