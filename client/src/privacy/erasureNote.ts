/**
 * What the Privacy centre tells a visitor about their erasure, in words that match what
 * happened: the visit's data is gone at once; a customer account they signed in to went to
 * the data-protection officer, with the date the answer is due, the legal holds that keep
 * some records, and where the request stands.
 */

import type { ErasureStatus } from "./api";
import { pt, type PrivacyKey } from "./strings";

const HOLDS: Record<string, PrivacyKey> = { financing_contract: "centre.hold.financing_contract" };
const STATUSES: Record<string, PrivacyKey> = {
  review: "centre.status.review",
  pending: "centre.status.pending",
  running: "centre.status.running",
  done: "centre.status.done",
  failed: "centre.status.failed",
};

export function explainErasure(locale: string, status: ErasureStatus): string[] {
  const lines: string[] = [];
  if (status.session_request?.status === "done") lines.push(pt(locale, "centre.erasedSession"));
  const account = status.customer_request;
  if (account) {
    if (account.status === "review") {
      const date = new Date(account.due_at).toLocaleDateString(locale, { day: "numeric", month: "long", year: "numeric" });
      lines.push(pt(locale, "centre.referred").replace("{date}", date));
      for (const hold of status.legal_holds) {
        const key = HOLDS[hold];
        if (key) lines.push(pt(locale, key));
      }
    }
    const state = STATUSES[account.status];
    if (state) lines.push(pt(locale, "centre.requestStatus").replace("{status}", pt(locale, state)));
  }
  return lines;
}
