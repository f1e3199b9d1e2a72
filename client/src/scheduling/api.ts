/** Scheduling over HTTP: the customer's own appointments (guest session) and the staff
 * agenda and resources (staff session, same cookie as the agent console). */

import { getJson, postJson } from "../api/http";
import { call } from "../console/api";

export interface AllocatedResource {
  id: string;
  name: string;
  kind: string;
}

export interface Appointment {
  id: string;
  brand_slug: string;
  type_slug: string;
  type_name: string;
  location: string;
  status: "held" | "confirmed" | "cancelled" | "expired";
  start: string;
  end: string;
  timezone: string;
  local_start: string;
  hold_expires_at: string | null;
  customer_ref: string;
  customer_name: string;
  customer_email: string | null;
  resources: AllocatedResource[];
  ics_uid: string;
  sequence: number;
  notes: string;
}

export interface Slot {
  start: string;
  end: string;
  local_start: string;
  resource_ids: string[];
}

export interface SlotPage {
  type: string;
  timezone: string;
  slots: Slot[];
}

export interface Agenda {
  brand_slug: string;
  day: string;
  timezone: string;
  appointments: Appointment[];
}

export type Span = [string, string];

export interface HoursException {
  start: string;
  end: string;
  hours: Span[];
  reason: string;
}

export interface Resource {
  id: string;
  brand_slug: string;
  kind: string;
  name: string;
  skills: string[];
  timezone: string;
  weekly_hours: Record<string, Span[]>;
  exceptions: HoursException[];
  buffer_before_min: number;
  buffer_after_min: number;
  active: boolean;
}

export type ResourceUpdate = Partial<
  Pick<Resource, "name" | "weekly_hours" | "exceptions" | "buffer_before_min" | "buffer_after_min" | "active">
>;

const enc = encodeURIComponent;

/** What a customer does with their own appointments in the storefront. */
export const customerApi = {
  mine: () => getJson<Appointment[]>("/api/appointments/mine"),
  slots: (brand: string, type: string, limit = 6) =>
    getJson<SlotPage>(`/api/brands/${enc(brand)}/scheduling/availability?type=${enc(type)}&limit=${limit}`),
  cancel: (id: string) => postJson<Appointment>(`/api/appointments/${enc(id)}/cancel`, { reason: "cancelled by the customer" }),
  reschedule: (id: string, start: string) => postJson<Appointment>(`/api/appointments/${enc(id)}/reschedule`, { start }),
};

const staffBase = "/api/staff/scheduling";

/** The staff side: a day's agenda, the resources and their hours. */
export const staffApi = {
  me: () => call<{ kind: string; display_name: string; roles: string[]; brand_slugs: string[] }>("GET", "/api/auth/me"),
  brands: () => call<{ slug: string; name: string }[]>("GET", "/api/brands"),
  agenda: (brand: string, day: string) => call<Agenda>("GET", `${staffBase}/agenda?brand=${enc(brand)}&day=${enc(day)}`),
  resources: (brand: string) => call<Resource[]>("GET", `${staffBase}/resources?brand=${enc(brand)}`),
  updateResource: (id: string, patch: ResourceUpdate) => call<Resource>("PATCH", `${staffBase}/resources/${enc(id)}`, patch),
};
