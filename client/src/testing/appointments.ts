import type { Appointment } from "../scheduling/api";

/** A confirmed 30-minute test drive starting at `start`, with `extra` fields replaced. */
export function appointment(id: string, start: string, extra: Partial<Appointment> = {}): Appointment {
  const end = new Date(Date.parse(start) + 30 * 60_000).toISOString();
  return {
    id,
    brand_slug: "aurora-motors",
    type_slug: "test-drive",
    type_name: "Test drive",
    location: "",
    status: "confirmed",
    start,
    end,
    timezone: "Europe/Paris",
    local_start: start,
    hold_expires_at: null,
    customer_ref: "guest:x",
    customer_name: "Mia",
    customer_email: null,
    resources: [],
    ics_uid: `${id}@vitrina`,
    sequence: 0,
    notes: "",
    ...extra,
  };
}
