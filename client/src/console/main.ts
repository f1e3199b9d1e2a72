import "./console.css";
import { ApiError, api } from "./api";
import { ConsoleApp } from "./view";
import { el, clear } from "../ui/dom";
import { mountScheduling } from "../scheduling/console";

/** The agent console: sign in with a staff account, then the live console. */
async function boot(root: HTMLElement): Promise<void> {
  try {
    const me = await api.me();
    if (me.kind === "staff") {
      await new ConsoleApp(root).start();
      await mountScheduling(root);
      return;
    }
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  signIn(root);
}

function signIn(root: HTMLElement): void {
  clear(root);
  const email = el("input", { type: "email", name: "email", required: true, autocomplete: "username" });
  const password = el("input", { type: "password", name: "password", required: true, autocomplete: "current-password" });
  const status = el("p", { role: "alert", class: "error" });
  const form = el(
    "form",
    { class: "signin", "aria-label": "Sign in" },
    el("h1", {}, "Vitrina agent console"),
    el("label", {}, "Email", email),
    el("label", {}, "Password", password),
    el("button", { type: "submit" }, "Sign in"),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    api
      .login(email.value, password.value)
      .then(() => new ConsoleApp(root).start())
      .then(() => mountScheduling(root))
      .catch((error: unknown) => {
        status.textContent = error instanceof ApiError ? error.detail : "Sign-in failed.";
      });
  });
  root.append(form);
  email.focus();
}

const root = document.getElementById("console");
if (root) void boot(root);
