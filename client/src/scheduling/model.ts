/** Scheduling logic the views share, free of the DOM: local times, days, the agenda's
 * rows and the text forms staff use to edit opening hours. */

import type { Agenda, Appointment, HoursException, Span } from "./api";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** An instant as wall-clock time in a time zone: "Fri 11 Dec, 15:00" in the locale. */
export function localTime(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** Hours and minutes only, for an agenda that already names the day. */
export function clockTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

/** The calendar date (YYYY-MM-DD) it is in `timeZone` at `now`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** A calendar date moved by whole days; calendar arithmetic, no time zone involved. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export interface AgendaRow {
  resource: string;
  appointments: Appointment[];
}

/** One row per resource (in name order) with its appointments in time order; an
 * appointment that needs a car and an advisor shows in both rows. */
export function agendaRows(agenda: Agenda): AgendaRow[] {
  const rows = new Map<string, Appointment[]>();
  for (const appointment of agenda.appointments) {
    const names = appointment.resources.length ? appointment.resources.map((r) => r.name) : ["—"];
    for (const name of names) {
      const list = rows.get(name) ?? [];
      list.push(appointment);
      rows.set(name, list);
    }
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([resource, list]) => ({ resource, appointments: list.sort((a, b) => a.start.localeCompare(b.start)) }));
}

/** Appointments still to come, soonest first: confirmed ones and holds not yet run out. */
export function upcoming(appointments: Appointment[], now: Date = new Date()): Appointment[] {
  return appointments
    .filter((a) => {
      if (Date.parse(a.end) <= now.getTime()) return false;
      if (a.status === "confirmed") return true;
      return a.status === "held" && a.hold_expires_at !== null && Date.parse(a.hold_expires_at) > now.getTime();
    })
    .sort((a, b) => a.start.localeCompare(b.start));
}

/** Only a confirmed appointment that has not started can be moved; any live one can be cancelled. */
export function canReschedule(appointment: Appointment, now: Date = new Date()): boolean {
  return appointment.status === "confirmed" && Date.parse(appointment.start) > now.getTime();
}

/** A problem in the hours text staff typed: what kind, and the part of the text at fault.
 * The message is in English; the console shows `problem` in the advisor's language. */
export class HoursTextError extends Error {
  constructor(
    readonly problem: "span" | "date" | "order",
    readonly text: string,
    message: string,
  ) {
    super(message);
  }
}

const SPAN = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export function formatSpans(spans: readonly Span[]): string {
  return spans.map(([a, b]) => `${a}-${b}`).join(", ");
}

/** "09:00-12:30, 14:00-19:00" as spans; empty text, or one of `closedWords` ("closed" and
 * its translations), is a closed day. Throws a HoursTextError on bad input, for the form
 * (the server checks again, overlaps included). */
export function parseSpans(text: string, closedWords: readonly string[] = ["closed"]): Span[] {
  const trimmed = text.trim();
  if (!trimmed || closedWords.some((word) => word.toLowerCase() === trimmed.toLowerCase())) return [];
  return trimmed.split(",").map((part) => {
    const span = part.trim();
    if (!SPAN.test(span)) throw new HoursTextError("span", span, `"${span}" is not a span like 09:00-19:00`);
    const [start, end] = span.split("-");
    if (end !== "24:00" && end <= start) throw new HoursTextError("order", span, `"${span}" ends before it starts`);
    return [start, end] as Span;
  });
}

/** One exception per line: "2026-12-24..2026-12-26 | closed | Christmas" or
 * "2026-12-31 | 09:00-13:00 | New Year's Eve". */
export function formatExceptions(exceptions: readonly HoursException[], closedWord = "closed"): string {
  return exceptions
    .map((e) => {
      const dates = e.end && e.end !== e.start ? `${e.start}..${e.end}` : e.start;
      return [dates, e.hours.length ? formatSpans(e.hours) : closedWord, e.reason].filter((p, i) => i < 2 || p).join(" | ");
    })
    .join("\n");
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseExceptions(text: string, closedWords: readonly string[] = ["closed"]): HoursException[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [dates = "", hours = "", ...reason] = line.split("|").map((p) => p.trim());
      const [start, end = start] = dates.split("..").map((d) => d.trim());
      if (!DATE.test(start) || !DATE.test(end)) throw new HoursTextError("date", dates, `"${dates}" is not a date or a range like 2026-12-24..2026-12-26`);
      if (end < start) throw new HoursTextError("order", dates, `"${dates}" ends before it starts`);
      return { start, end, hours: parseSpans(hours, closedWords), reason: reason.join(" | ") };
    });
}
