import { describe, expect, it } from "vitest";
import type { OutFrame } from "../net/codec";
import type { ServerFrame } from "../net/protocol.gen";
import { createInput } from "./input";
import { createWorldState } from "./state";
import { SEND_INTERVAL, inputSystem, networkReceiveSystem, networkSendSystem } from "./systems";
import { worldTick } from "./tick";

const look = { color: "#123456" };
const welcome = (extra: Partial<Extract<ServerFrame, { t: "welcome" }>> = {}): ServerFrame => ({
  t: "welcome", v: 1, id: 1, room: "aurora/showroom#1", brand: "aurora", zone: "showroom", shard: 1,
  token: "tok", tick_hz: 20, bounds: [-20, 0, -20, 20, 6, 20], radius: 10, spawn: [0, 0, 6], max_speed: 5,
  who: [
    { id: 1, name: "Me", badge: "customer", look },
    { id: 2, name: "Nova", badge: "bot", look },
  ],
  u: [[1, 100, 0, 500, 0, null], [2, -300, 0, 0, 0, null]],
  ...extra,
});

function world() {
  const w = createWorldState("aurora", "showroom");
  const sent: OutFrame[] = [];
  const send = (f: OutFrame) => (sent.push(f), true);
  return { w, sent, send, input: createInput() };
}

describe("applying server frames", () => {
  it("places us and the people already there from the welcome", () => {
    const { w } = world();
    w.inbox.push(welcome());
    networkReceiveSystem(w, 10);
    expect(w.local.id).toBe(1);
    expect(w.local.name).toBe("Me");
    expect(w.local.pose).toMatchObject({ x: 1, z: 5 });
    expect([...w.avatars.keys()]).toEqual([2]);
    expect(w.avatars.get(2)).toMatchObject({ name: "Nova", badge: "bot", inView: true });
    expect(w.added).toEqual([2]);
    expect(w.inbox).toHaveLength(0);
  });

  it("moves others through snapshots, hides those out of view and removes those who left", () => {
    const { w } = world();
    w.inbox.push(welcome(), { t: "enter", v: 1, who: [{ id: 3, name: "Ada", badge: "advisor", look }] });
    networkReceiveSystem(w, 10);
    w.inbox.push({ t: "snap", v: 1, k: 5, u: [[3, 200, 0, 200, 0, null], [1, 9999, 0, 0, 0, null]], g: [2] });
    networkReceiveSystem(w, 10.05);
    expect(w.avatars.get(3)?.inView).toBe(true);
    expect(w.avatars.get(2)?.inView).toBe(false);
    expect(w.local.pose.x).toBe(1); // our own echo never overrides the prediction
    w.inbox.push({ t: "exit", v: 1, id: 3, why: "left" });
    networkReceiveSystem(w, 10.1);
    expect(w.avatars.has(3)).toBe(false);
    expect(w.removed).toContain(3);
  });

  it("queues chat for the panel and the speaker's bubble, text untouched", () => {
    const { w } = world();
    w.inbox.push(welcome(), { t: "chat", v: 1, id: 2, name: "Nova", text: "<img src=x onerror=alert(1)>", ts: 0 });
    networkReceiveSystem(w, 3);
    expect(w.chat).toEqual([{ id: 2, name: "Nova", badge: "bot", text: "<img src=x onerror=alert(1)>", self: false }]);
    expect(w.avatars.get(2)?.bubbleText).toBe("<img src=x onerror=alert(1)>");
    expect(w.avatars.get(2)?.bubbleUntil).toBeGreaterThan(3);
  });

  it("snaps back where the server says after a refused move", () => {
    const { w } = world();
    w.inbox.push(welcome(), { t: "correct", v: 1, p: [2, 0, 3], r: 1, why: "speed" });
    networkReceiveSystem(w, 1);
    expect(w.local.pose).toEqual({ x: 2, y: 0, z: 3, yaw: 1 });
    expect(w.local.sent).toEqual({ x: 2, y: 0, z: 3, yaw: 1 });
  });
});

describe("sending our moves", () => {
  it("sends at most 15 times a second, only when something changed", () => {
    const { w, sent, send, input } = world();
    w.inbox.push(welcome());
    input.keys.add("KeyW");
    let now = 0;
    for (let i = 0; i < 120; i += 1) {
      now += 1 / 60;
      worldTick(w, input, now, 1 / 60, send);
    }
    expect(sent.length).toBeGreaterThanOrEqual(26);
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(2 / SEND_INTERVAL));
    input.keys.clear();
    const before = sent.length;
    for (let i = 0; i < 120; i += 1) {
      now += 1 / 60;
      worldTick(w, input, now, 1 / 60, send);
    }
    expect(sent.length - before).toBeLessThanOrEqual(1);
  });

  it("replays a VR teleport at walking speed so the server accepts every step", () => {
    const { w, sent, send } = world();
    w.inbox.push(welcome());
    networkReceiveSystem(w, 0);
    w.local.pose.x = 15; // teleported 14 m
    w.local.dirty = true;
    let now = 100;
    let lastX = w.local.sent.x;
    let lastAt = 0;
    let steps = 0;
    for (let i = 0; i < 60; i += 1) {
      now += SEND_INTERVAL;
      networkSendSystem(w, now, send);
      const frame = sent.at(-1);
      if (frame && frame.t === "move" && frame.p[0] !== lastX) {
        // the server's rule: max_speed * elapsed (at most 1 s) + 0.5 m of slack
        expect(frame.p[0] - lastX).toBeLessThanOrEqual(w.maxSpeed * Math.min(now - lastAt, 1) + 0.5);
        expect(frame.p[0] - lastX).toBeLessThanOrEqual(w.maxSpeed * 0.25);
        lastX = frame.p[0];
        lastAt = now;
        steps += 1;
      }
    }
    expect(lastX).toBeCloseTo(15);
    expect(steps).toBeGreaterThan(14 / (w.maxSpeed * 0.25));
  });

  it("turns the view with the mouse and walks to a clicked point", () => {
    const { w, input } = world();
    input.lookDX = 100;
    input.walkTo.active = true;
    input.walkTo.x = 4;
    input.walkTo.z = 4;
    inputSystem(w, input);
    expect(w.local.pose.yaw).toBeLessThan(0);
    expect(w.local.target).toEqual({ active: true, x: 4, z: 4 });
    expect(input.lookDX).toBe(0);
    expect(input.walkTo.active).toBe(false);
  });
});
