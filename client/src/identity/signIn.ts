/**
 * The wallet sign-in flow, independent of the DOM: ask the server for a nonce, build the
 * EIP-4361 message, have the wallet sign it, send both back.
 */

import { buildSiweMessage } from "./siwe";
import { createDemoWallet, toChecksumAddress, type Signer } from "./demoWallet";

/** The part of EIP-1193 this flow uses (window.ethereum in browsers with a wallet). */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface NonceResponse {
  nonce: string;
  domain: string;
  uri: string;
  chain_ids: number[];
  statement: string;
  expires_at: string;
}

export interface Verification {
  verified: boolean;
  customer_id: string | null;
  display_name: string | null;
  method: string | null;
  level: number | null;
  identifier: string | null;
  created: boolean;
}

export interface SignInApi {
  nonce(brand: string): Promise<NonceResponse>;
  verify(message: string, signature: string, link: boolean): Promise<Verification>;
}

function utf8Hex(text: string): string {
  let hex = "0x";
  for (const byte of new TextEncoder().encode(text)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** A Signer backed by an injected wallet: it asks for the account and signs with personal_sign. */
export async function providerSigner(provider: Eip1193Provider): Promise<Signer> {
  const accounts = (await provider.request({ method: "eth_requestAccounts" })) as string[];
  if (!accounts.length) throw new Error("The wallet shared no account.");
  const chainHex = (await provider.request({ method: "eth_chainId" })) as string;
  const address = toChecksumAddress(accounts[0]);
  return {
    address,
    chainId: parseInt(chainHex, 16),
    personalSign: async (message) =>
      (await provider.request({ method: "personal_sign", params: [utf8Hex(message), address] })) as string,
  };
}

/** The injected wallet when the browser has one, else the built-in demo wallet. */
export async function defaultSigner(provider: Eip1193Provider | undefined): Promise<Signer> {
  return provider ? providerSigner(provider) : createDemoWallet();
}

export async function signInWithWallet(
  api: SignInApi,
  signer: Signer,
  opts: { brand: string; link?: boolean; now?: Date },
): Promise<Verification> {
  const params = await api.nonce(opts.brand);
  if (!params.chain_ids.includes(signer.chainId)) {
    throw new Error(`Switch the wallet to chain ${params.chain_ids.join(" or ")} to sign in.`);
  }
  const message = buildSiweMessage({
    domain: params.domain,
    address: signer.address,
    uri: params.uri,
    chainId: signer.chainId,
    nonce: params.nonce,
    statement: params.statement,
    issuedAt: (opts.now ?? new Date()).toISOString(),
    expirationTime: params.expires_at.replace(/\+00:00$/, "Z"),
  });
  const signature = await signer.personalSign(message);
  return api.verify(message, signature, opts.link ?? false);
}
