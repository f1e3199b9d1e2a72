/**
 * Customer sign-in for the storefront. One call mounts the "Verify me" panel:
 *
 *   import { mountSignInPanel } from "./identity";
 *   mountSignInPanel(container, { brand: "aurora-motors", onVerified: (v) => greet(v) });
 *
 * It offers an email one-time code and a wallet signature (the browser's wallet, or the
 * built-in demo wallet on the demo brand). The guest session must exist already.
 */

export type { Verification } from "./signIn";
export { createDemoWallet, DEMO_ADDRESS } from "./demoWallet";
export { httpSignInApi } from "./walletApi";
export { mountSignInPanel } from "./panel";
