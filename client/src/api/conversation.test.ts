import { describe, expect, it } from "vitest";
import { historyLines, type ConversationMessage } from "./conversation";
import { startZone, type StoreLayout } from "./brand";

const message = (author_kind: ConversationMessage["author_kind"], body: string, kind = "text"): ConversationMessage => ({
  seq: 0,
  author_kind,
  author_name: { customer: "Mia", bot: "Nova", agent: "Ava", supervisor: "Sam", system: "Vitrina" }[author_kind],
  kind,
  body,
});

describe("the transcript read back after a reload", () => {
  it("shows each line with its speaker's role, the customer's own lines as theirs", () => {
    const lines = historyLines(
      [message("customer", "Hello"), message("bot", "Hi Mia"), message("agent", "Ava here"), message("system", "Rate 1 to 5", "csat_request")],
      "Guide",
    );
    expect(lines).toEqual([
      { name: "Mia", badge: "customer", text: "Hello", self: true },
      { name: "Nova", badge: "bot", text: "Hi Mia", self: false },
      { name: "Ava", badge: "advisor", text: "Ava here", self: false },
      // Never the platform's internal name: the service speaks as the store's guide.
      { name: "Guide", badge: "bot", text: "Rate 1 to 5", self: false },
    ]);
  });

  it("leaves out staff notes and emptied (erased) lines", () => {
    expect(historyLines([message("agent", "private", "note"), message("customer", "  ")], "Guide")).toEqual([]);
  });
});

describe("where a visitor starts", () => {
  const zone = (name: string, spawn: [number, number] | null, products: string[]) => ({
    name,
    title: name,
    bounds: { min_x: 0, min_z: 0, max_x: 1, max_z: 1, height: 3 },
    capacity: 10,
    floor_color: "#fff",
    spawn,
    stands: products.map((p, i) => ({ id: `s${i}`, product_slug: p, x: 0, z: 0, rotation_deg: 0, label: p })),
    signs: [],
  });
  const layout = { zones: [zone("entrance", [0, 0], []), zone("showroom", null, ["aurora-gt"])], wall_color: "#000" } as unknown as StoreLayout;

  it("opens a product link in the zone of its stand, so the menu names that zone", () => {
    expect(startZone(layout, null, "aurora-gt").name).toBe("showroom");
    expect(startZone(layout, null, null).name).toBe("entrance");
    expect(startZone(layout, "entrance", "aurora-gt").name).toBe("entrance");
    expect(startZone(layout, null, "unknown").name).toBe("entrance");
  });
});
