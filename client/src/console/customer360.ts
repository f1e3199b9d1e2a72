/** The customer 360 side panel: who the customer is in the CRM (name, identities and
 * whether they are verified, consents), their appointments, account items on request
 * (the read is logged with a reason) and their timeline across channels. */

import { call, type Conversation } from "./api";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { calendarDate, dateTime, intlLocale, labelOf, t, wallClock } from "./strings";

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

/** The customer's orders and twins, from commerce (docs/commerce.md). */
export interface CustomerCommerce {
  orders: { id: string; number: string; status: string; currency: string; total: string; paid: string }[];
  twins: { id: string; product_title: string; serial: string; status: string }[];
}

export const customerApi = {
  commerce: (brand: string, customerId: string) =>
    call<CustomerCommerce>("GET", `/api/staff/commerce/brands/${encodeURIComponent(brand)}/customers/${encodeURIComponent(customerId)}`),
  panel: (conversationId: string) => call<CustomerPanel>("GET", `/api/console/conversations/${conversationId}/customer`),
  // The reason goes with every read of a customer's data, for the access audit.
  profile: (customerId: string, reason: string) =>
    call<Customer360>("GET", `/api/crm/customers/${encodeURIComponent(customerId)}?reason=${encodeURIComponent(reason)}`),
  account: (customerId: string, reason: string) =>
    call<Account>("GET", `/api/crm/customers/${encodeURIComponent(customerId)}/account?reason=${encodeURIComponent(reason)}`),
};

/** How sure we are of who this is, in the advisor's words. */
export function verificationLabel(panel: CustomerPanel): string {
  if (!panel.customer_id) return t("verification.none");
  if (panel.matched_by === "verified_session") return t("verification.session");
  return t(panel.verified ? "verification.verifiedEmail" : "verification.email");
}

/** An identity's value with a tick if the customer proved it: "mia@example.com ✓". */
function identityValue(identity: Identity): string {
  return `${identity.value}${identity.verified_at ? " ✓" : ` ${t("identity.unverified")}`}`;
}

/** "email: mia@example.com ✓" — the tick for identities the customer proved. */
export function identityLabel(identity: Identity): string {
  return t("identity.line", { kind: labelOf("identity", identity.kind), value: identityValue(identity) });
}

/** The address to write to: the one the conversation came from (email channel), else the
 * customer's proved address, else any address on the profile. */
export function contactEmail(conversation: Pick<Conversation, "customer_email">, profile: Pick<Customer360, "identities"> | null): string {
  if (conversation.customer_email) return conversation.customer_email;
  const emails = (profile?.identities ?? []).filter((i) => i.kind === "email");
  const best = emails.find((i) => i.verified_at) ?? emails[0];
  return best ? identityValue(best) : "—";
}

/** Consents in force first: "marketing: given", "personalisation: withdrawn". */
export function consentSummary(consents: Consent[]): string[] {
  const purpose = (c: Consent) => labelOf("purpose", c.purpose);
  const given = consents.filter((c) => c.in_force && c.granted).map((c) => t("consent.given", { purpose: purpose(c) }));
  const other = consents
    .filter((c) => !(c.in_force && c.granted))
    .map((c) => t(c.granted ? "consent.expired" : "consent.withdrawn", { purpose: purpose(c) }));
  return [...given, ...other];
}

/** Money in minor units as the customer's statement shows it, with the console's decimal mark. */
export function money(minor: number, currency: string): string {
  const amount = (minor / 100).toLocaleString(intlLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false });
  return `${amount} ${currency}`;
}

/** What the panel shows about a conversation's customer, read once per opening (each read of
 * the profile is logged) and drawn again as it is when the advisor changes language. */
export interface CustomerData {
  panel: CustomerPanel | null;
  profile: Customer360 | null;
  commerce?: CustomerCommerce | null;
}

export async function loadCustomer360(conversation: Conversation): Promise<CustomerData> {
  const panel = await customerApi.panel(conversation.id).catch(() => null);
  const profile = panel?.customer_id ? await customerApi.profile(panel.customer_id, `console: conversation ${conversation.id}`).catch(() => null) : null;
  const commerce = panel?.customer_id ? await customerApi.commerce(conversation.brand_slug, panel.customer_id).catch(() => null) : null;
  return { panel, profile, commerce };
}

export function drawCustomer360(side: HTMLElement, conversation: Conversation, history: Conversation[], data: CustomerData): void {
  const { panel, profile } = data;
  clear(side);
  side.append(
    el("h2", {}, t("customer.title")),
    el(
      "dl",
      {},
      el("dt", {}, t("customer.name")), el("dd", { "data-field": "name" }, profile?.profile.display_name || conversation.customer_name || "—"),
      el("dt", {}, t("customer.identity")), el("dd", { "data-field": "verification" }, panel ? verificationLabel(panel) : "—"),
      el("dt", {}, t("customer.email")), el("dd", { "data-field": "email" }, contactEmail(conversation, profile)),
      el("dt", {}, t("customer.language")), el("dd", {}, conversation.locale),
      el("dt", {}, t("customer.brand")), el("dd", {}, conversation.brand_slug),
      el("dt", {}, t("customer.inWorld")), el("dd", {}, conversation.world_room ?? t("customer.notInWorld")),
    ),
  );
  if (profile) {
    side.append(
      el("h3", {}, t("customer.identities")),
      el("ul", { class: "identities" }, ...profile.identities.map((i) => el("li", {}, identityLabel(i)))),
      el("h3", {}, t("customer.consents")),
      el(
        "ul",
        { class: "consents" },
        ...(profile.consents.length ? consentSummary(profile.consents).map((c) => el("li", {}, c)) : [el("li", { class: "empty" }, t("customer.noConsents"))]),
      ),
    );
  }
  const appointments = panel?.appointments ?? [];
  side.append(
    el("h3", {}, t("customer.appointments")),
    el(
      "ul",
      { class: "appointments" },
      ...(appointments.length
        ? appointments.map((a) => el("li", {}, `${a.type_name} · ${wallClock(a.local_start)} · ${labelOf("appointment", a.status)}`))
        : [el("li", { class: "empty" }, t("customer.noAppointments"))]),
    ),
  );
  if (data.commerce) {
    const { orders, twins } = data.commerce;
    side.append(
      el("h3", {}, t("customer.orders")),
      el(
        "ul",
        { class: "orders", "data-testid": "customer-orders" },
        ...(orders.length
          ? orders.map((o) => el("li", { "data-status": o.status }, `${o.number} · ${o.status} · ${o.paid}/${o.total} ${o.currency}`))
          : [el("li", { class: "empty" }, t("customer.noOrders"))]),
      ),
      el("h3", {}, t("customer.twins")),
      el(
        "ul",
        { class: "twins", "data-testid": "customer-twins" },
        ...(twins.length ? twins.map((tw) => el("li", {}, `${tw.product_title} · ${tw.serial} · ${tw.status}`)) : [el("li", { class: "empty" }, t("customer.noTwins"))]),
      ),
    );
  }
  if (profile && panel?.customer_id) {
    const customerId = panel.customer_id;
    const accountBox = el("div", { class: "account" });
    const show = el("button", { type: "button" }, t("customer.showAccount"));
    const accountLoads = new Latest(); // the button stays until an answer comes: clicks can overlap
    show.addEventListener("click", () => {
      const stillNewest = accountLoads.begin();
      void customerApi
        .account(customerId, `console: conversation ${conversation.id}`)
        .then((account) => {
          if (!stillNewest()) return;
          clear(accountBox);
          accountBox.append(
            el(
              "ul",
              { class: "contracts" },
              ...account.contracts.map((c) => {
                const balance = t("account.balance", { amount: money(c.balance_minor, c.currency) });
                const next = c.next_payment_on ? ` · ${t("account.nextPayment", { date: calendarDate(c.next_payment_on) })}` : "";
                return el("li", {}, `${c.product} ${c.number} · ${balance}${next}`);
              }),
              ...account.vehicles.map((v) => el("li", {}, `${v.model} ${v.year} · ${v.registration}`)),
            ),
          );
          if (!account.contracts.length && !account.vehicles.length) accountBox.append(el("p", { class: "empty" }, t("customer.noAccount")));
        })
        .catch((error: unknown) => {
          if (!stillNewest()) return;
          accountBox.textContent = error instanceof Error ? error.message : String(error);
        });
    });
    accountBox.append(show, " ", el("small", {}, t("customer.readLogged")));
    side.append(el("h3", {}, t("customer.account")), accountBox);
    side.append(
      el("h3", {}, t("customer.timeline")),
      el(
        "ol",
        { class: "timeline", "aria-label": t("customer.timelineLabel") },
        ...profile.timeline
          .slice(0, 20)
          .map((entry) => el("li", { "data-kind": entry.kind }, `${dateTime(entry.occurred_at)} · ${entry.channel ? labelOf("channel", entry.channel) : "—"} · ${entry.summary}`)),
      ),
    );
  }
  side.append(
    el("h3", {}, t("customer.conversations")),
    el(
      "ol",
      { class: "timeline" },
      ...history.map((h) =>
        el("li", {}, `${dateTime(h.created_at)} · ${labelOf("channel", h.channel)} · ${labelOf("state", h.state)}${h.csat_score ? ` · ${h.csat_score}/5` : ""}`),
      ),
    ),
  );
}
