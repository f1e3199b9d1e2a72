/**
 * The "Verify me" panel of the storefront: every way a customer can prove who they are,
 * in the UI language. An email one-time code (address, then the six digits, with a new
 * code on request once the rate limit allows it) and a wallet signature (the browser's
 * wallet, or the demo wallet of the demo brand). The bot names the button in its answers.
 */

import { ApiError, postJson } from "../api/http";
import { t } from "../i18n";
import { el } from "../ui/dom";
import { DEMO_WALLET_BRANDS } from "./demoWallet";
import { defaultSigner, signInWithWallet, type Eip1193Provider, type Verification } from "./signIn";
import { httpSignInApi } from "./walletApi";

// The server allows three codes a minute per session and per address.
const RESEND_AFTER_S = 20;

export interface SignInPanelOptions {
  brand: string;
  onVerified: (verification: Verification) => void;
  provider?: Eip1193Provider;
}

interface CodeSent {
  challenge_id: string;
}

function reason(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "email_invalid_code") return t("signin.wrongCode");
    if (error.code === "email_code_expired") return t("signin.expired");
    if (error.status === 429) return t("signin.tooMany");
  }
  console.warn("sign-in failed", error);
  return t("signin.failed");
}

export function mountSignInPanel(container: HTMLElement, options: SignInPanelOptions): { relabel: () => void; remove: () => void } {
  const injected = options.provider ?? (window as { ethereum?: Eip1193Provider }).ethereum;
  // Without a browser wallet the demo wallet stands in, only where the demo customer lives.
  const walletOffered = injected !== undefined || DEMO_WALLET_BRANDS.has(options.brand);
  const open = el("button", { type: "button", class: "sign-in-open", "aria-expanded": "false", "data-testid": "signin-open" });
  const title = el("h3", {});
  const why = el("p", { class: "sign-in-why" });
  const status = el("p", { class: "sign-in-status", role: "status", "data-testid": "signin-status" });
  const wallet = el("button", { type: "button", class: "wallet-sign-in", hidden: !walletOffered, "data-testid": "signin-wallet" });
  const emailLabel = el("label", { for: "signin-email" });
  const email = el("input", { id: "signin-email", type: "email", autocomplete: "email", required: true, "data-testid": "signin-email" });
  const send = el("button", { type: "submit", "data-testid": "signin-send" });
  const emailForm = el("form", { class: "sign-in-email" }, emailLabel, email, send);
  const codeLabel = el("label", { for: "signin-code" });
  const code = el("input", { id: "signin-code", inputmode: "numeric", pattern: "\\d{6}", maxlength: 6, autocomplete: "one-time-code", required: true, "data-testid": "signin-code" });
  const verify = el("button", { type: "submit", "data-testid": "signin-verify" });
  const resend = el("button", { type: "button", disabled: true, "data-testid": "signin-resend" });
  const codeForm = el("form", { class: "sign-in-code", hidden: true }, codeLabel, code, verify, resend);
  const body = el("div", { class: "sign-in-body", hidden: true, "data-testid": "signin-panel" }, title, why, emailForm, codeForm, wallet, status);
  const root = el("div", { class: "sign-in" }, open, body);

  let challenge: string | null = null;
  let sentTo = "";
  let timer: number | null = null;
  let waitUntil = 0;

  const relabel = (): void => {
    open.textContent = t("signin.open");
    title.textContent = t("signin.title");
    why.textContent = t("signin.why");
    wallet.textContent = injected ? t("signin.wallet") : t("signin.demoWallet");
    emailLabel.textContent = t("signin.email");
    send.textContent = t("signin.sendCode");
    codeLabel.textContent = t("signin.code");
    verify.textContent = t("signin.verify");
    resend.textContent = t("signin.resend");
  };
  const tickResend = (): void => {
    const left = Math.ceil((waitUntil - Date.now()) / 1000);
    resend.disabled = left > 0;
    resend.title = left > 0 ? t("signin.resendIn", { seconds: left }) : "";
    if (left <= 0 && timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  };
  const done = (result: Verification): void => {
    status.textContent = t("signin.done", { name: result.display_name || result.identifier || "" });
    emailForm.hidden = codeForm.hidden = wallet.hidden = true;
    options.onVerified(result);
  };
  const sendCode = async (): Promise<void> => {
    const address = email.value.trim();
    if (!address) return;
    send.disabled = resend.disabled = true;
    try {
      const sent = await postJson<CodeSent>("/api/customer-auth/email/start", { brand: options.brand, email: address });
      challenge = sent.challenge_id;
      sentTo = address;
      codeForm.hidden = false;
      status.textContent = t("signin.codeSent", { email: sentTo });
      code.value = "";
      code.focus();
      waitUntil = Date.now() + RESEND_AFTER_S * 1000;
      if (timer === null) timer = window.setInterval(tickResend, 1000);
      tickResend();
    } catch (error) {
      status.textContent = reason(error);
      resend.disabled = false;
    } finally {
      send.disabled = false;
    }
  };

  open.addEventListener("click", () => {
    body.hidden = !body.hidden;
    open.setAttribute("aria-expanded", String(!body.hidden));
    if (!body.hidden) email.focus();
  });
  emailForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void sendCode();
  });
  resend.addEventListener("click", () => void sendCode());
  codeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!challenge) return;
    verify.disabled = true;
    void postJson<Verification>("/api/customer-auth/email/verify", { challenge_id: challenge, code: code.value.trim() })
      .then(done, (error: unknown) => {
        status.textContent = reason(error);
      })
      .finally(() => {
        verify.disabled = false;
      });
  });
  wallet.addEventListener("click", () => {
    wallet.disabled = true;
    status.textContent = t("signin.waitingWallet");
    void defaultSigner(injected)
      .then((signer) => signInWithWallet(httpSignInApi, signer, { brand: options.brand }))
      .then(done, (error: unknown) => {
        status.textContent = reason(error);
        wallet.disabled = false;
      });
  });

  relabel();
  container.append(root);
  return {
    relabel,
    remove: () => {
      if (timer !== null) window.clearInterval(timer);
      root.remove();
    },
  };
}
