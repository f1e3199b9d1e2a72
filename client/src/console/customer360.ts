/** The customer 360 side panel: who the customer is in the CRM (name, identities and
 * whether they are verified, consents), their appointments, account items on request
 * (the read is logged with a reason) and their timeline across channels. */

import { call, type Conversation } from "./api";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";

export interface CustomerPanel {
  customer_id: string | null;
  matched_by: "verified_session" | "email" | null;
  verified: boolean;
  appointments: Appointment[];
}

export interface Appointment {
  id: string;
  type_name: string;
  location: string;
  status: string;
  local_start: string;
}

export interface Identity {
  kind: string;
  value: string;
  verified_at: string | null;
}

export interface Consent {
  purpose: string;
  granted: boolean;
  in_force: boolean;
}

export interface TimelineEntry {
  id: string;
  kind: string;
  channel: string;
  summary: string;
  occurred_at: string;
}

export interface Customer360 {
  profile: { id: string; display_name: string; locale: string | null; tags: string[] };
  identities: Identity[];
  consents: Consent[];
  timeline: TimelineEntry[];
  notes: { id: string }[];
}

export interface Account {
  contracts: { number: string; product: string; currency: string; balance_minor: number; next_payment_on: string | null }[];
  vehicles: { vin: string; model: string; year: number; registration: string }[];
}

export const customerApi = {
  panel: (conversationId: string) => call<CustomerPanel>("GET", `/api/console/conversations/${conversationId}/customer`),
  // The reason goes with every read of a customer's data, for the access audit.
  profile: (customerId: string, reason: string) =>
    call<Customer360>("GET", `/api/crm/customers/${encodeURIComponent(customerId)}?reason=${encodeURIComponent(reason)}`),
  account: (customerId: string, reason: string) =>
    call<Account>("GET", `/api/crm/customers/${encodeURIComponent(customerId)}/account?reason=${encodeURIComponent(reason)}`),
};

/** How sure we are of who this is, in the advisor's words. */
export function verificationLabel(panel: CustomerPanel): string {
  if (!panel.customer_id) return "Not identified";
  if (panel.matched_by === "verified_session") return "Verified in this conversation";
  return panel.verified ? "Matched by a verified email" : "Matched by email (not verified)";
}

/** "email: mia@example.com ✓" — the tick for identities the customer proved. */
export function identityLabel(identity: Identity): string {
  return `${identity.kind}: ${identity.value}${identity.verified_at ? " ✓" : " (unverified)"}`;
}

/** The address to write to: the one the conversation came from (email channel), else the
 * customer's proved address, else any address on the profile. */
export function contactEmail(conversation: Pick<Conversation, "customer_email">, profile: Pick<Customer360, "identities"> | null): string {
  if (conversation.customer_email) return conversation.customer_email;
  const emails = (profile?.identities ?? []).filter((i) => i.kind === "email");
  const best = emails.find((i) => i.verified_at) ?? emails[0];
  return best ? identityLabel(best).replace(/^email: /, "") : "—";
}

/** Consents in force first: "marketing: given", "personalisation: withdrawn". */
export function consentSummary(consents: Consent[]): string[] {
  const given = consents.filter((c) => c.in_force && c.granted).map((c) => `${c.purpose}: given`);
  const other = consents.filter((c) => !(c.in_force && c.granted)).map((c) => `${c.purpose}: ${c.granted ? "expired" : "withdrawn"}`);
  return [...given, ...other];
}

/** Money in minor units as the customer's statement shows it. */
export function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

export async function renderCustomer360(
  side: HTMLElement,
  conversation: Conversation,
  history: Conversation[],
  isCurrent: () => boolean,
): Promise<void> {
  const panel = await customerApi.panel(conversation.id).catch(() => null);
  const profile = panel?.customer_id ? await customerApi.profile(panel.customer_id, `console: conversation ${conversation.id}`).catch(() => null) : null;
  if (!isCurrent()) return; // a later opening (of this conversation or another) renders instead
  clear(side);
  side.append(
    el("h2", {}, "Customer"),
    el(
      "dl",
      {},
      el("dt", {}, "Name"), el("dd", { "data-field": "name" }, profile?.profile.display_name || conversation.customer_name || "—"),
      el("dt", {}, "Identity"), el("dd", { "data-field": "verification" }, panel ? verificationLabel(panel) : "—"),
      el("dt", {}, "Email"), el("dd", { "data-field": "email" }, contactEmail(conversation, profile)),
      el("dt", {}, "Language"), el("dd", {}, conversation.locale),
      el("dt", {}, "Brand"), el("dd", {}, conversation.brand_slug),
      el("dt", {}, "In the world"), el("dd", {}, conversation.world_room ?? "no"),
    ),
  );
  if (profile) {
    side.append(
      el("h3", {}, "Identities"),
      el("ul", { class: "identities" }, ...profile.identities.map((i) => el("li", {}, identityLabel(i)))),
      el("h3", {}, "Consents"),
      el(
        "ul",
        { class: "consents" },
        ...(profile.consents.length ? consentSummary(profile.consents).map((c) => el("li", {}, c)) : [el("li", { class: "empty" }, "None recorded")]),
      ),
    );
  }
  const appointments = panel?.appointments ?? [];
  side.append(
    el("h3", {}, "Appointments"),
    el(
      "ul",
      { class: "appointments" },
      ...(appointments.length
        ? appointments.map((a) => el("li", {}, `${a.type_name} · ${a.local_start} · ${a.status}`))
        : [el("li", { class: "empty" }, "None")]),
    ),
  );
  if (profile && panel?.customer_id) {
    const accountBox = el("div", { class: "account" });
    const show = el("button", { type: "button" }, "Show contracts and vehicles");
    const accountLoads = new Latest(); // the button stays until an answer comes: clicks can overlap
    show.addEventListener("click", () => {
      const stillNewest = accountLoads.begin();
      void customerApi
        .account(panel.customer_id!, `console: conversation ${conversation.id}`)
        .then((account) => {
          if (!stillNewest()) return;
          clear(accountBox);
          accountBox.append(
            el(
              "ul",
              { class: "contracts" },
              ...account.contracts.map((c) =>
                el("li", {}, `${c.product} ${c.number} · balance ${money(c.balance_minor, c.currency)}${c.next_payment_on ? ` · next payment ${c.next_payment_on}` : ""}`),
              ),
              ...account.vehicles.map((v) => el("li", {}, `${v.model} ${v.year} · ${v.registration}`)),
            ),
          );
          if (!account.contracts.length && !account.vehicles.length) accountBox.append(el("p", { class: "empty" }, "No account items"));
        })
        .catch((error: unknown) => {
          if (!stillNewest()) return;
          accountBox.textContent = error instanceof Error ? error.message : String(error);
        });
    });
    accountBox.append(show, el("small", {}, " (the read is logged)"));
    side.append(el("h3", {}, "Account"), accountBox);
    side.append(
      el("h3", {}, "Timeline"),
      el(
        "ol",
        { class: "timeline", "aria-label": "Customer timeline" },
        ...profile.timeline
          .slice(0, 20)
          .map((t) => el("li", { "data-kind": t.kind }, `${new Date(t.occurred_at).toLocaleString()} · ${t.channel || "—"} · ${t.summary}`)),
      ),
    );
  }
  side.append(
    el("h3", {}, "Conversations"),
    el(
      "ol",
      { class: "timeline" },
      ...history.map((h) =>
        el("li", {}, `${new Date(h.created_at).toLocaleString()} · ${h.channel} · ${h.state}${h.csat_score ? ` · ${h.csat_score}/5` : ""}`),
      ),
    ),
  );
}
