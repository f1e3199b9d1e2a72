/**
 * The avatar chooser: body, skin tone, hair and outfit colours, as native radio
 * buttons and colour inputs in a dialog (keyboard and screen-reader friendly). Every
 * change shows at once on one's own avatar; "Save" keeps it in the browser and tells
 * the room (the look travels in the world's join frame).
 */

import { t, type StringKey } from "../i18n";
import { BODIES, HAIR_COLORS, HAIRS, OUTFIT_COLORS, SKIN_TONES, type Appearance } from "../world/appearance";
import { el } from "./dom";

export interface ChooserHooks {
  /** The look being tried on (not saved yet). */
  onPreview(look: Appearance): void;
  onSave(look: Appearance): void;
}

export class AvatarChooser {
  readonly button: HTMLButtonElement;
  readonly dialog: HTMLDialogElement;
  private draft: Appearance;

  constructor(
    private saved: Appearance,
    private readonly hooks: ChooserHooks,
  ) {
    this.draft = { ...saved };
    this.button = el("button", { type: "button", "data-testid": "avatar-open" }, t("avatar.open"));
    this.dialog = el("dialog", { class: "avatar-chooser", "aria-labelledby": "avatar-title", "data-testid": "avatar-chooser" });
    this.button.addEventListener("click", () => this.open());
    this.dialog.addEventListener("close", () => this.hooks.onPreview(this.saved));
  }

  open(): void {
    this.draft = { ...this.saved };
    this.render();
    this.dialog.showModal();
  }

  private set<K extends keyof Appearance>(key: K, value: Appearance[K]): void {
    this.draft = { ...this.draft, [key]: value };
    this.hooks.onPreview(this.draft);
  }

  private choice<K extends "body" | "hair">(key: K, values: readonly Appearance[K][], label: StringKey): HTMLFieldSetElement {
    return el(
      "fieldset",
      {},
      el("legend", {}, t(label)),
      ...values.map((value) => {
        const input = el("input", { type: "radio", name: `avatar-${key}`, value, checked: this.draft[key] === value });
        input.addEventListener("change", () => this.set(key, value));
        return el("label", { class: "option" }, input, ` ${t(`${label}.${value}` as StringKey)}`);
      }),
    );
  }

  private swatches(key: "skin" | "hairColor", colours: readonly string[], label: StringKey): HTMLFieldSetElement {
    return el(
      "fieldset",
      { class: "swatches" },
      el("legend", {}, t(label)),
      ...colours.map((colour, index) => {
        const input = el("input", { type: "radio", name: `avatar-${key}`, value: index, checked: this.draft[key] === index, "aria-label": `${t(label)} ${index + 1}` });
        input.addEventListener("change", () => this.set(key, index));
        return el("label", { class: "swatch", style: `--swatch: ${colour}` }, input);
      }),
    );
  }

  private colour(key: "top" | "bottom", label: StringKey): HTMLLabelElement {
    const list = `avatar-${key}-colours`;
    const input = el("input", { type: "color", value: this.draft[key], list, "data-testid": `avatar-${key}` });
    input.addEventListener("input", () => this.set(key, input.value));
    return el("label", { class: "field" }, `${t(label)} `, input, el("datalist", { id: list }, ...OUTFIT_COLORS.map((c) => el("option", { value: c }))));
  }

  private render(): void {
    const save = el("button", { type: "button", "data-testid": "avatar-save" }, t("avatar.save"));
    const close = el("button", { type: "button" }, t("avatar.close"));
    const note = el("p", { class: "note", role: "status" });
    save.addEventListener("click", () => {
      this.saved = { ...this.draft };
      this.hooks.onSave(this.saved);
      note.textContent = t("avatar.saved");
    });
    close.addEventListener("click", () => this.dialog.close());
    this.dialog.replaceChildren(
      el("h2", { id: "avatar-title" }, t("avatar.title")),
      this.choice("body", BODIES, "avatar.body"),
      this.swatches("skin", SKIN_TONES, "avatar.skin"),
      this.choice("hair", HAIRS, "avatar.hair"),
      this.swatches("hairColor", HAIR_COLORS, "avatar.hairColor"),
      this.colour("top", "avatar.top"),
      this.colour("bottom", "avatar.bottom"),
      el("div", { class: "actions" }, save, close),
      note,
    );
  }

  relabel(): void {
    this.button.textContent = t("avatar.open");
    if (this.dialog.open) this.render();
  }
}
