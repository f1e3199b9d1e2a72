/** "For you" in the storefront: the persona chooser, the greeter's suggestion and the
 * recommendations, each with "why am I seeing this?". The persona is kept on the server
 * when the visitor allows personal suggestions, and for this visit otherwise. */

import { ApiError, getJson } from "../api/http";
import { locale, localized, t } from "../i18n";
import { clear, el } from "../ui/dom";
import "./suggestions.css";

export interface Persona {
  key: string;
  name: Record<string, string>;
  greeting: Record<string, string>;
  route: string[];
}

export interface Recommendation {
  product: string;
  name: Record<string, string>;
  surprise: boolean;
  label: Record<string, string>;
  why: Record<string, string>;
}

export interface Recommendations {
  personalised: boolean;
  persona: string | null;
  items: Recommendation[];
}

const VISIT_KEY = "vitrina.persona";

function csrf(): string {
  return document.cookie.split("; ").find((c) => c.startsWith("vitrina_csrf="))?.split("=")[1] ?? "";
}

/** The greeter's line: the persona's greeting and the first suggestion. */
export function greeterLine(persona: Persona | undefined, first: Recommendation | undefined): string {
  if (!first) return persona ? localized(persona.greeting) : "";
  return t("forYou.greeter", { greeting: persona ? localized(persona.greeting) : "", product: localized(first.name, first.product) }).trim();
}

export class Suggestions {
  readonly element: HTMLElement;
  private personas: Persona[] = [];
  private chosen = sessionStorage.getItem(VISIT_KEY) ?? "";
  private stored = false;
  private last: Recommendations | null = null;
  private readonly select: HTMLSelectElement;
  private readonly label: HTMLElement;
  private readonly title: HTMLElement;
  private readonly greeter: HTMLElement;
  private readonly list: HTMLElement;

  constructor(
    private readonly brand: string,
    private readonly onTop: (product: string | null) => void,
  ) {
    this.title = el("h2", { id: "for-you-title" });
    this.label = el("span");
    this.select = el("select", { "data-testid": "persona-chooser" });
    this.greeter = el("p", { class: "greeter-line", "data-testid": "greeter-suggestion", role: "status" });
    this.list = el("ul", { class: "for-you", "data-testid": "for-you" });
    this.element = el(
      "section",
      { class: "suggestions", "aria-labelledby": "for-you-title", hidden: true },
      this.title,
      el("label", { class: "persona" }, this.label, " ", this.select),
      this.greeter,
      this.list,
    );
    this.select.addEventListener("change", () => void this.choose(this.select.value));
    this.relabel();
  }

  async start(): Promise<void> {
    this.personas = await getJson<Persona[]>(`/api/brands/${encodeURIComponent(this.brand)}/personas`).catch(() => []);
    const mine = await getJson<{ persona: string | null; stored: boolean }>(`/api/insights/brands/${encodeURIComponent(this.brand)}/persona`).catch(() => null);
    if (mine?.persona) {
      this.chosen = mine.persona;
      this.stored = true;
    }
    this.element.hidden = false;
    this.relabel();
    await this.refresh();
  }

  private async choose(key: string): Promise<void> {
    this.chosen = key;
    sessionStorage.setItem(VISIT_KEY, key);
    const resp = await fetch(`/api/insights/brands/${encodeURIComponent(this.brand)}/persona`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify({ persona: key || null }),
    });
    // Without consent to personal suggestions the choice holds for this visit only.
    this.stored = resp.ok && Boolean(key);
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const params = new URLSearchParams({ limit: "4" });
    if (this.chosen && !this.stored) params.set("persona", this.chosen);
    try {
      this.last = await getJson<Recommendations>(`/api/insights/brands/${encodeURIComponent(this.brand)}/recommendations?${params}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.last = null;
    }
    this.render();
  }

  private render(): void {
    clear(this.list);
    const items = this.last?.items ?? [];
    const persona = this.personas.find((p) => p.key === this.chosen);
    this.greeter.textContent = greeterLine(persona, items[0]);
    if (!items.length) this.list.append(el("li", { class: "empty" }, t("forYou.none")));
    for (const item of items) {
      const why = el("details", { class: "why" }, el("summary", {}, t("forYou.why")), el("p", {}, item.why[locale()] ?? item.why.en ?? ""));
      this.list.append(
        el(
          "li",
          { "data-product": item.product, "data-surprise": item.surprise },
          item.surprise ? el("span", { class: "badge", "data-testid": "something-different" }, localized(item.label)) : null,
          el("strong", {}, localized(item.name, item.product)),
          why,
        ),
      );
    }
    this.onTop(items[0]?.product ?? null);
  }

  relabel(): void {
    this.title.textContent = t("forYou.title");
    this.label.textContent = t("forYou.persona");
    const options = [el("option", { value: "" }, t("forYou.personaAny")), ...this.personas.map((p) => el("option", { value: p.key }, localized(p.name, p.key)))];
    this.select.replaceChildren(...options);
    this.select.value = this.chosen;
    this.select.hidden = this.personas.length === 0;
    this.label.hidden = this.personas.length === 0;
    this.render();
  }
}
