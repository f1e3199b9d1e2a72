import "./console.css";
import { ApiError, api } from "./api";
import { ConsoleApp } from "./view";
import { el, clear } from "../ui/dom";
import { mountScheduling, type SchedulingTabs } from "../scheduling/console";
import { languagePicker, startLocale } from "./language";
import { t } from "./strings";
import { mountDashboard, type DashboardTab } from "../insights/dashboard";

/** The agent console: sign in with a staff account, then the live console, in the
 * advisor's language (see ./language.ts). */
async function boot(root: HTMLElement): Promise<void> {
  startLocale();
  try {
    const me = await api.me();
    if (me.kind === "staff") {
      await openConsole(root);
      return;
    }
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  signIn(root);
}

async function openConsole(root: HTMLElement): Promise<void> {
  let scheduling: SchedulingTabs | null = null;
  let dashboard: DashboardTab | null = null;
  const app = new ConsoleApp(root, () => {
    app.relabel();
    scheduling?.relabel();
    dashboard?.relabel();
  });
  await app.start();
  scheduling = await mountScheduling(root);
  dashboard = await mountDashboard(root);
}

function signIn(root: HTMLElement, values = { email: "", password: "" }): void {
  clear(root);
  const email = el("input", { type: "email", name: "email", required: true, autocomplete: "username" });
  const password = el("input", { type: "password", name: "password", required: true, autocomplete: "current-password" });
  email.value = values.email;
  password.value = values.password;
  const status = el("p", { role: "alert", class: "error" });
  // A new language draws the form again, keeping what was typed.
  const language = languagePicker(() => {
    signIn(root, { email: email.value, password: password.value });
    root.querySelector<HTMLSelectElement>("[data-testid=console-language]")?.focus();
  });
  const form = el(
    "form",
    { class: "signin", "aria-label": t("signin.submit") },
    el("h1", {}, t("signin.title")),
    el("label", {}, t("signin.email"), email),
    el("label", {}, t("signin.password"), password),
    el("button", { type: "submit" }, t("signin.submit")),
    status,
    language.element,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    api
      .login(email.value, password.value)
      .then(() => openConsole(root))
      .catch((error: unknown) => {
        status.textContent = error instanceof ApiError ? error.detail : t("signin.failed");
      });
  });
  root.append(form);
  if (!values.email) email.focus();
}

const root = document.getElementById("console");
if (root) void boot(root);
