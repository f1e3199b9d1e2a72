import { describe, expect, it } from "vitest";

import { addressOf, createDemoWallet, DEMO_ADDRESS, DEMO_PRIVATE_KEY, toChecksumAddress } from "./demoWallet";
import { signInWithWallet, type NonceResponse, type SignInApi, type Verification } from "./signIn";
import { buildSiweMessage } from "./siwe";

// The same message and signature as the server computes them with eth-account.
const MESSAGE =
  "127.0.0.1:8000 wants you to sign in with your Ethereum account:\n" +
  "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23\n\nSign in to the virtual store.\n\n" +
  "URI: http://127.0.0.1:8000\nVersion: 1\nChain ID: 1\n" +
  "Nonce: 0123456789abcdef0123456789abcdef\nIssued At: 2026-11-29T20:00:00.000Z";
const ETH_ACCOUNT_SIGNATURE =
  "0x992e90c892e16e4c5587601309b3935973dadc36e3c4c1d64e0c270500a95d135f9fae19cf0d9b45e6e3096d35bcbd6f4b9ea86da05858db4ee7cef0aed95af71c";

describe("demo wallet", () => {
  it("derives the documented demo address", () => {
    expect(addressOf(DEMO_PRIVATE_KEY)).toBe(DEMO_ADDRESS);
    expect(toChecksumAddress(DEMO_ADDRESS.toLowerCase())).toBe(DEMO_ADDRESS);
  });

  it("signs exactly as eth-account does (EIP-191, deterministic RFC 6979)", async () => {
    expect(await createDemoWallet().personalSign(MESSAGE)).toBe(ETH_ACCOUNT_SIGNATURE);
  });
});

describe("SIWE message", () => {
  it("matches the server's text", () => {
    const text = buildSiweMessage({
      domain: "127.0.0.1:8000",
      address: DEMO_ADDRESS,
      uri: "http://127.0.0.1:8000",
      chainId: 1,
      nonce: "0123456789abcdef0123456789abcdef",
      issuedAt: "2026-11-29T20:00:00.000Z",
      statement: "Sign in to the virtual store.",
    });
    expect(text).toBe(MESSAGE);
  });

  it("keeps the blank line when there is no statement", () => {
    const text = buildSiweMessage({
      domain: "d.example",
      address: DEMO_ADDRESS,
      uri: "https://d.example",
      chainId: 1,
      nonce: "abcdefgh1",
      issuedAt: "2026-01-01T00:00:00Z",
    });
    expect(text.split("\n").slice(1, 5)).toEqual([DEMO_ADDRESS, "", "", "URI: https://d.example"]);
  });
});

describe("sign-in flow", () => {
  const nonce: NonceResponse = {
    nonce: "0123456789abcdef0123456789abcdef",
    domain: "127.0.0.1:8000",
    uri: "http://127.0.0.1:8000",
    chain_ids: [1],
    statement: "Sign in to the virtual store.",
    expires_at: "2026-11-29T20:10:00+00:00",
  };

  it("sends the signed message and returns the verification", async () => {
    const sent: string[][] = [];
    const api: SignInApi = {
      nonce: async () => nonce,
      verify: async (message, signature) => {
        sent.push([message, signature]);
        return { verified: true, customer_id: "c1", display_name: "Giulia", method: "siwe", level: 2, identifier: DEMO_ADDRESS, created: false } satisfies Verification;
      },
    };
    const result = await signInWithWallet(api, createDemoWallet(), { brand: "aurora-motors", now: new Date("2026-11-29T20:00:00Z") });
    expect(result.display_name).toBe("Giulia");
    expect(sent[0][0]).toBe(MESSAGE + "\nExpiration Time: 2026-11-29T20:10:00Z");
    expect(sent[0][1]).toMatch(/^0x[0-9a-f]{130}$/);
  });

  it("refuses a wallet on a chain the server does not accept", async () => {
    const api: SignInApi = { nonce: async () => nonce, verify: async () => { throw new Error("not reached"); } };
    await expect(signInWithWallet(api, createDemoWallet(DEMO_PRIVATE_KEY, 5), { brand: "aurora-motors" })).rejects.toThrow(/chain 1/);
  });
});
