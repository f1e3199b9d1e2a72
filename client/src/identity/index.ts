/**
 * "Sign in with wallet" for the storefront. One call mounts the button:
 *
 *   import { mountWalletSignIn } from "./identity";
 *   mountWalletSignIn(container, { brand: "aurora-motors", onVerified: (v) => greet(v) });
 *
 * It uses the browser's wallet (window.ethereum, EIP-1193) when there is one, and the
 * built-in demo wallet otherwise. The guest session must exist already (ensureSession).
 */

import { postJson } from "../api/http";
import { el } from "../ui/dom";
import { defaultSigner, signInWithWallet, type Eip1193Provider, type SignInApi, type Verification } from "./signIn";

export type { Verification } from "./signIn";
export { createDemoWallet, DEMO_ADDRESS } from "./demoWallet";

export interface WalletSignInOptions {
  brand: string;
  onVerified: (verification: Verification) => void;
  /** Add the wallet to the customer this session is already verified as. */
  link?: boolean;
  label?: string;
  provider?: Eip1193Provider;
}

export const httpSignInApi: SignInApi = {
  nonce: (brand) => postJson("/api/customer-auth/siwe/nonce", { brand }),
  verify: (message, signature, link) =>
    postJson("/api/customer-auth/siwe/verify", { message, signature, link }),
};

export function mountWalletSignIn(container: HTMLElement, options: WalletSignInOptions): () => void {
  const injected = options.provider ?? (window as { ethereum?: Eip1193Provider }).ethereum;
  const label = options.label ?? (injected ? "Sign in with wallet" : "Sign in with the demo wallet");
  const button = el("button", { type: "button", class: "wallet-sign-in" }, label);
  const status = el("span", { class: "wallet-sign-in-status", role: "status" });
  const root = el("div", { class: "wallet-sign-in-box" }, button, status);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Waiting for the wallet…";
    try {
      const signer = await defaultSigner(injected);
      const result = await signInWithWallet(httpSignInApi, signer, {
        brand: options.brand,
        link: options.link,
      });
      status.textContent = `Signed in as ${result.display_name || result.identifier}`;
      options.onVerified(result);
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
      button.disabled = false;
    }
  });
  container.append(root);
  return () => root.remove();
}
