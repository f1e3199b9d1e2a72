import { afterEach, describe, expect, it } from "vitest";
import { consentSummary, contactEmail, identityLabel, money, verificationLabel, type CustomerPanel } from "./customer360";
import { setLocale } from "./strings";

const panel = (over: Partial<CustomerPanel>): CustomerPanel => ({ customer_id: "c1", matched_by: null, verified: false, appointments: [], ...over });

describe("customer 360 panel", () => {
  it("says how the customer was recognised", () => {
    expect(verificationLabel(panel({ customer_id: null }))).toBe("Not identified");
    expect(verificationLabel(panel({ matched_by: "verified_session", verified: true }))).toBe("Verified in this conversation");
    expect(verificationLabel(panel({ matched_by: "email", verified: true }))).toBe("Matched by a verified email");
    expect(verificationLabel(panel({ matched_by: "email", verified: false }))).toBe("Matched by email (not verified)");
  });

  it("marks the identities the customer proved", () => {
    expect(identityLabel({ kind: "email", value: "mia@example.com", verified_at: "2026-12-01T10:00:00Z" })).toBe("email: mia@example.com ✓");
    expect(identityLabel({ kind: "phone", value: "+39555", verified_at: null })).toBe("phone: +39555 (unverified)");
  });

  it("lists consents in force first", () => {
    expect(
      consentSummary([
        { purpose: "marketing", granted: false, in_force: false },
        { purpose: "personalisation", granted: true, in_force: true },
        { purpose: "analytics", granted: true, in_force: false },
      ]),
    ).toEqual(["personalisation: given", "marketing: withdrawn", "analytics: expired"]);
  });

  it("shows money from minor units", () => {
    expect(money(1234567, "EUR")).toBe("12345.67 EUR");
  });
});

describe("the customer card's email", () => {
  const identities = [
    { kind: "wallet", value: "0xabc", verified_at: "2026-12-01T10:00:00Z" },
    { kind: "email", value: "old@example.com", verified_at: null },
    { kind: "email", value: "giulia@example.com", verified_at: "2026-12-01T10:00:00Z" },
  ];

  it("shows the verified email of a customer who signed in from the store", () => {
    expect(contactEmail({ customer_email: null }, { identities })).toBe("giulia@example.com ✓");
  });

  it("keeps the address an email conversation came from, and a dash when none is known", () => {
    expect(contactEmail({ customer_email: "mia@example.org" }, { identities })).toBe("mia@example.org");
    expect(contactEmail({ customer_email: null }, null)).toBe("—");
  });
});

describe("the customer panel in the advisor's language", () => {
  afterEach(() => setLocale("en"));

  it("speaks French and Italian, keeping what the customer wrote", () => {
    setLocale("fr");
    expect(verificationLabel(panel({ customer_id: null }))).toBe("Non identifié");
    expect(identityLabel({ kind: "phone", value: "+39555", verified_at: null })).toBe("téléphone : +39555 (non vérifié)");
    expect(consentSummary([{ purpose: "marketing", granted: true, in_force: true }])).toEqual(["marketing : accordé"]);
    expect(money(1234567, "EUR")).toBe("12345,67 EUR");
    setLocale("it");
    expect(verificationLabel(panel({ matched_by: "verified_session", verified: true }))).toBe("Verificato in questa conversazione");
    expect(consentSummary([{ purpose: "analytics", granted: false, in_force: false }])).toEqual(["statistiche: revocato"]);
    expect(contactEmail({ customer_email: null }, { identities: [{ kind: "email", value: "g@example.com", verified_at: null }] })).toBe("g@example.com (non verificato)");
  });
});
