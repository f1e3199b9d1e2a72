/** The top bar: where you are, language, sound, 2D/3D, VR, and the connection state. */

import type { StoreLayout } from "../api/brand";
import { LOCALES, locale, localized, t, type Locale } from "../i18n";
import type { ConnState } from "../net/connection";
import { el } from "./dom";

export interface ToolbarHooks {
  onLocale(locale: Locale): void;
  onSound(on: boolean): void;
  onMode(): void;
  onZone(zone: string): void;
  onVr(): void;
}

const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", fr: "Français", it: "Italiano" };

export class Toolbar {
  readonly element: HTMLElement;
  readonly status: HTMLElement;
  readonly vrButton: HTMLButtonElement;
  private readonly modeButton: HTMLButtonElement;
  private readonly languageLabel: HTMLLabelElement;
  private readonly soundLabel: HTMLSpanElement;
  private readonly zoneLabel: HTMLLabelElement;
  private readonly zoneSelect: HTMLSelectElement;
  private state: ConnState = "idle";

  constructor(
    brandName: string,
    private readonly layout: StoreLayout,
    hooks: ToolbarHooks,
    private mode: "3d" | "2d",
  ) {
    const language = el("select", { id: "language", "data-testid": "language" });
    for (const code of LOCALES) language.append(el("option", { value: code, selected: code === locale() }, LANGUAGE_NAMES[code]));
    language.addEventListener("change", () => hooks.onLocale(language.value as Locale));
    this.languageLabel = el("label", { for: "language" });

    const sound = el("input", { type: "checkbox", id: "sound", "data-testid": "sound" });
    sound.addEventListener("change", () => hooks.onSound(sound.checked));
    this.soundLabel = el("span");

    this.zoneSelect = el("select", { id: "zone", "data-testid": "zone" });
    this.zoneSelect.addEventListener("change", () => hooks.onZone(this.zoneSelect.value));
    this.zoneLabel = el("label", { for: "zone" });

    this.modeButton = el("button", { type: "button", "data-testid": "mode-toggle" });
    this.modeButton.addEventListener("click", () => hooks.onMode());
    this.vrButton = el("button", { type: "button", hidden: true, "data-testid": "enter-vr" });
    this.vrButton.addEventListener("click", () => hooks.onVr());
    this.status = el("p", { class: "status", role: "status", "data-testid": "connection" });

    this.element = el(
      "header",
      { class: "bar" },
      el("h1", {}, brandName),
      el("div", { class: "field" }, this.zoneLabel, this.zoneSelect),
      el("div", { class: "field" }, this.languageLabel, language),
      el("label", { class: "field", for: "sound" }, sound, this.soundLabel),
      this.modeButton,
      this.vrButton,
      this.status,
    );
    this.relabel();
  }

  setZone(zone: string): void {
    this.zoneSelect.value = zone;
  }

  setMode(mode: "3d" | "2d"): void {
    this.mode = mode;
    this.relabel();
  }

  setConnection(state: ConnState): void {
    this.state = state;
    this.status.dataset.state = state;
    this.status.textContent = t(`conn.${state}`);
  }

  setVr(available: boolean, active: boolean): void {
    this.vrButton.hidden = !available;
    this.vrButton.textContent = t(active ? "ui.exitVr" : "ui.enterVr");
  }

  relabel(): void {
    this.languageLabel.textContent = t("ui.language");
    this.soundLabel.textContent = t("ui.sound");
    this.zoneLabel.textContent = t("ui.zone");
    const current = this.zoneSelect.value;
    this.zoneSelect.replaceChildren(...this.layout.zones.map((z) => el("option", { value: z.name }, localized(z.title, z.name))));
    if (current) this.zoneSelect.value = current;
    this.modeButton.textContent = t(this.mode === "3d" ? "ui.mode2d" : "ui.mode3d");
    this.vrButton.textContent = t("ui.enterVr");
    this.setConnection(this.state);
  }
}
