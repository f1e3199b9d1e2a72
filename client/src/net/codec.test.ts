import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, readEntry, type EntryView } from "./codec";
import { PROTOCOL_VERSION } from "./protocol.gen";

function collect() {
  const reasons: string[] = [];
  return { reasons, skip: (reason: string) => reasons.push(reason) };
}

describe("client frames", () => {
  it("carry the protocol version, in MessagePack or JSON", () => {
    const json = encodeFrame({ t: "chat", text: "hello" }, true);
    expect(JSON.parse(json as string)).toEqual({ t: "chat", text: "hello", v: PROTOCOL_VERSION });
    const binary = encodeFrame({ t: "move", p: [1, 0, 2], r: 0.5 }, false);
    expect(binary).toBeInstanceOf(Uint8Array);
    expect(decodeFrame(encode({ t: "pong", v: 1, ts: 3, now: 4 }))).toMatchObject({ t: "pong", ts: 3 });
  });
});

describe("server frames the client does not understand", () => {
  it("are skipped with a reason instead of throwing", () => {
    const { reasons, skip } = collect();
    expect(decodeFrame(new Uint8Array([0xc1]), skip)).toBeNull(); // never-used MessagePack byte
    expect(decodeFrame("[1,2]", skip)).toBeNull();
    expect(decodeFrame(JSON.stringify({ t: "teleport", v: 1 }), skip)).toBeNull();
    expect(decodeFrame(JSON.stringify({ t: "chat", v: 2, id: 1, name: "a", text: "b", ts: 0 }), skip)).toBeNull();
    expect(decodeFrame(JSON.stringify({ t: "chat", v: 1, id: 1, name: "a", ts: 0 }), skip)).toBeNull();
    expect(decodeFrame(JSON.stringify({ t: "toString", v: 1 }), skip)).toBeNull();
    expect(reasons).toEqual([
      "undecodable",
      "not a map",
      "unknown type teleport",
      "version 2",
      "chat without text",
      "unknown type toString",
    ]);
  });

  it("are accepted when every required field is there", () => {
    const frame = decodeFrame(encode({ t: "chat", v: 1, id: 7, name: "Ada", text: "<b>hi</b>", ts: 1 }));
    expect(frame).toEqual({ t: "chat", v: 1, id: 7, name: "Ada", text: "<b>hi</b>", ts: 1 });
  });
});

describe("snapshot entries", () => {
  it("are read from centimetres and yaw units without allocating", () => {
    const out: EntryView = { id: 0, x: 0, y: 0, z: 0, yaw: 0 };
    expect(readEntry([5, 150, 0, -275, 16384, null], out)).toBe(true);
    expect(out).toEqual({ id: 5, x: 1.5, y: 0, z: -2.75, yaw: Math.PI / 2 });
    expect(readEntry([5, "x", 0, 0, 0], out)).toBe(false);
    expect(readEntry([5, 1, 2], out)).toBe(false);
    expect(readEntry({ id: 5 }, out)).toBe(false);
  });
});
