/** The server's Sign-In with Ethereum endpoints, as the wallet sign-in flow calls them. */

import { postJson } from "../api/http";
import type { SignInApi } from "./signIn";

export const httpSignInApi: SignInApi = {
  nonce: (brand) => postJson("/api/customer-auth/siwe/nonce", { brand }),
  verify: (message, signature, link) => postJson("/api/customer-auth/siwe/verify", { message, signature, link }),
};
