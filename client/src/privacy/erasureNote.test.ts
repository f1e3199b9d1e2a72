import { describe, expect, it } from "vitest";
import type { PrivacyRequest } from "./api";
import { explainErasure } from "./erasureNote";

const request = (status: PrivacyRequest["status"]): PrivacyRequest => ({
  id: "r1",
  kind: "erasure",
  status,
  progress: status === "done" ? 1 : 0,
  step: "",
  due_at: "2027-01-06T10:00:00Z",
  completed_at: null,
  archive_bytes: null,
});

describe("what a visitor is told after asking for erasure", () => {
  it("never says everything is erased while the account waits for the DPO", () => {
    const lines = explainErasure("fr", {
      session_request: request("done"),
      customer_request: request("review"),
      legal_holds: ["financing_contract"],
    });
    expect(lines[0]).toContain("Ce que cette visite contenait");
    expect(lines[1]).toContain("délégué à la protection des données");
    expect(lines[1]).toContain("2027");
    expect(lines[2]).toContain("contrat de financement");
    expect(lines[3]).toBe("État de la demande pour votre compte : chez le délégué à la protection des données.");
    expect(lines.join(" ")).not.toMatch(/ont été effacées\.$/);
  });

  it("says only what went at once for a visitor who never signed in", () => {
    expect(explainErasure("it", { session_request: request("done"), customer_request: null, legal_holds: [] })).toEqual([
      "Ciò che questa visita conteneva (la tua chat nel negozio, le tue scelte, i segnali di questo browser) è stato cancellato.",
    ]);
  });

  it("reports the account erased once the DPO let it run", () => {
    const lines = explainErasure("en", { session_request: null, customer_request: request("done"), legal_holds: [] });
    expect(lines).toEqual(["Status of the request for your account: done, your account data has been erased."]);
  });
});
