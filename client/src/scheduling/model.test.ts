import { describe, expect, it } from "vitest";
import type { Agenda } from "./api";
import { appointment } from "../testing/appointments";
import {
  addDays,
  agendaRows,
  canReschedule,
  clockTime,
  HoursTextError,
  formatExceptions,
  formatSpans,
  parseExceptions,
  parseSpans,
  todayIn,
  upcoming,
} from "./model";

describe("days and local times", () => {
  it("reads the date in the brand's zone, not the browser's", () => {
    const lateUtc = new Date("2026-12-04T23:30:00Z");
    expect(todayIn("Europe/Paris", lateUtc)).toBe("2026-12-05");
    expect(todayIn("America/New_York", lateUtc)).toBe("2026-12-04");
  });

  it("moves across month, year and DST boundaries by whole days", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-03-01", -1)).toBe("2027-02-28");
    expect(addDays("2027-03-27", 1)).toBe("2027-03-28");
    expect(addDays("2027-03-28", 1)).toBe("2027-03-29");
  });

  it("shows wall-clock time in the zone of the agenda", () => {
    expect(clockTime("2026-12-11T14:00:00Z", "Europe/Paris")).toBe("15:00");
    expect(clockTime("2027-07-09T14:00:00Z", "Europe/Paris")).toBe("16:00");
  });
});

describe("agenda rows", () => {
  it("lists each resource once, in name order, its appointments in time order", () => {
    const car = { id: "c", name: "E1 demo car", kind: "demo_car" };
    const ava = { id: "a", name: "Ava", kind: "advisor" };
    const bruno = { id: "b", name: "Bruno", kind: "advisor" };
    const agenda: Agenda = {
      brand_slug: "aurora-motors",
      day: "2026-12-11",
      timezone: "Europe/Paris",
      appointments: [
        appointment("late", "2026-12-11T15:00:00Z", { resources: [car, ava] }),
        appointment("early", "2026-12-11T08:00:00Z", { resources: [ava] }),
        appointment("other", "2026-12-11T09:00:00Z", { resources: [bruno] }),
      ],
    };
    const rows = agendaRows(agenda);
    expect(rows.map((r) => r.resource)).toEqual(["Ava", "Bruno", "E1 demo car"]);
    expect(rows[0].appointments.map((a) => a.id)).toEqual(["early", "late"]);
    expect(rows[2].appointments.map((a) => a.id)).toEqual(["late"]);
  });
});

describe("the customer's upcoming appointments", () => {
  const now = new Date("2026-12-04T10:00:00Z");

  it("keeps confirmed ones and live holds still to come, soonest first", () => {
    const list = upcoming(
      [
        appointment("later", "2026-12-10T09:00:00Z"),
        appointment("past", "2026-12-01T09:00:00Z"),
        appointment("cancelled", "2026-12-08T09:00:00Z", { status: "cancelled" }),
        appointment("expired-hold", "2026-12-08T09:00:00Z", { status: "held", hold_expires_at: "2026-12-04T09:59:00Z" }),
        appointment("hold", "2026-12-09T09:00:00Z", { status: "held", hold_expires_at: "2026-12-04T10:05:00Z" }),
        appointment("soon", "2026-12-05T09:00:00Z"),
      ],
      now,
    );
    expect(list.map((a) => a.id)).toEqual(["soon", "hold", "later"]);
  });

  it("offers to move only confirmed appointments that have not started", () => {
    expect(canReschedule(appointment("a", "2026-12-05T09:00:00Z"), now)).toBe(true);
    expect(canReschedule(appointment("b", "2026-12-04T09:50:00Z"), now)).toBe(false);
    expect(canReschedule(appointment("c", "2026-12-05T09:00:00Z", { status: "held" }), now)).toBe(false);
  });
});

describe("opening hours as text", () => {
  it("round-trips spans and reads an empty day as closed", () => {
    const spans = parseSpans(" 09:00-12:30, 14:00-24:00 ");
    expect(spans).toEqual([
      ["09:00", "12:30"],
      ["14:00", "24:00"],
    ]);
    expect(formatSpans(spans)).toBe("09:00-12:30, 14:00-24:00");
    expect(parseSpans("")).toEqual([]);
    expect(parseSpans("closed")).toEqual([]);
  });

  it("refuses malformed or backwards spans with a readable reason", () => {
    expect(() => parseSpans("9-19")).toThrow(/not a span/);
    expect(() => parseSpans("19:00-09:00")).toThrow(/ends before/);
    expect(() => parseSpans("25:00-26:00")).toThrow(/not a span/);
  });

  it("round-trips exceptions, single days and ranges, closed or with hours", () => {
    const text = "2026-12-24..2026-12-26 | closed | Christmas\n2026-12-31 | 09:00-13:00 | New Year's Eve";
    const parsed = parseExceptions(text);
    expect(parsed).toEqual([
      { start: "2026-12-24", end: "2026-12-26", hours: [], reason: "Christmas" },
      { start: "2026-12-31", end: "2026-12-31", hours: [["09:00", "13:00"]], reason: "New Year's Eve" },
    ]);
    expect(formatExceptions(parsed)).toBe(text);
    expect(() => parseExceptions("24/12/2026 | closed")).toThrow(/not a date/);
    expect(() => parseExceptions("2026-12-26..2026-12-24 | closed")).toThrow(/ends before/);
  });
});

describe("opening hours typed in another language", () => {
  it("reads the translations of closed and says what is wrong and where", () => {
    const words = ["closed", "fermé", "chiuso"];
    expect(parseSpans("Fermé", words)).toEqual([]);
    expect(parseExceptions("2026-12-24 | chiuso | Natale", words)).toEqual([{ start: "2026-12-24", end: "2026-12-24", hours: [], reason: "Natale" }]);
    expect(formatExceptions([{ start: "2026-12-24", end: "2026-12-24", hours: [], reason: "Noël" }], "fermé")).toBe("2026-12-24 | fermé | Noël");
    const problem = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof HoursTextError ? [error.problem, error.text] : error;
      }
      return null;
    };
    expect(problem(() => parseSpans("9-12"))).toEqual(["span", "9-12"]);
    expect(problem(() => parseSpans("12:00-09:00"))).toEqual(["order", "12:00-09:00"]);
    expect(problem(() => parseExceptions("24/12 | closed"))).toEqual(["date", "24/12"]);
  });
});
