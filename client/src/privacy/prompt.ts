/**
 * The consent prompt: shown before any optional tracking starts, with "Accept all" and
 * "Refuse all" side by side and equally prominent, and a "Choose" form per purpose.
 * It is a DOM overlay, so it reads the same over the 3D stage and in the 2D view.
 */

import { el, clear } from "../ui/dom";
import { OPTIONAL_PURPOSES, PrivacyApi, type Channel, type ConsentState, type Purpose, type PurposeText } from "./api";
import { allChoices, currentChoices, inForce, type Choices } from "./model";
import { pt } from "./strings";

export interface ConsentOptions {
  brand: string;
  locale: string;
  /** Called with the purposes in force once known, and after every change. */
  onChange?: (allowed: Set<Purpose>, state: ConsentState) => void;
  channel?: Channel;
  /** Show even when the visitor already answered (a "Cookie settings" link). */
  force?: boolean;
  api?: PrivacyApi;
}

export interface ConsentHandle {
  readonly element: HTMLElement;
  open(): void;
  close(): void;
  destroy(): void;
  state(): ConsentState | null;
}

export async function mountConsentPrompt(
  container: HTMLElement,
  options: ConsentOptions,
): Promise<ConsentHandle> {
  const api = options.api ?? new PrivacyApi(options.brand);
  const locale = options.locale;
  const [purposes, initial] = await Promise.all([api.purposes(locale), api.consents()]);
  let state: ConsentState = initial;
  const root = el("div", {
    class: "vp-prompt",
    role: "dialog",
    "aria-labelledby": "vp-prompt-title",
    "data-testid": "consent-prompt",
    hidden: true,
  });
  container.append(root);

  const decide = async (choices: Partial<Choices>): Promise<void> => {
    state = await api.setConsents(choices, options.channel ?? "storefront_2d");
    options.onChange?.(inForce(state), state);
    handle.close();
  };

  const render = (): void => {
    clear(root);
    const accept = el("button", { type: "button", class: "vp-btn", "data-testid": "consent-accept" }, pt(locale, "prompt.accept"));
    const refuse = el("button", { type: "button", class: "vp-btn", "data-testid": "consent-refuse" }, pt(locale, "prompt.refuse"));
    const choose = el("button", { type: "button", class: "vp-link", "aria-expanded": "false", "data-testid": "consent-choose" }, pt(locale, "prompt.choose"));
    accept.addEventListener("click", () => void decide(allChoices(true)));
    refuse.addEventListener("click", () => void decide(allChoices(false)));
    const form = purposeForm(purposes, currentChoices(state), locale, (choices) => void decide(choices));
    form.hidden = true;
    choose.addEventListener("click", () => {
      form.hidden = !form.hidden;
      choose.setAttribute("aria-expanded", String(!form.hidden));
    });
    root.append(
      el("h2", { id: "vp-prompt-title" }, pt(locale, "prompt.title")),
      el("p", {}, pt(locale, "prompt.intro")),
      el("div", { class: "vp-actions" }, refuse, accept),
      choose,
      form,
    );
  };

  const handle: ConsentHandle = {
    element: root,
    open() {
      render();
      root.hidden = false;
      (root.querySelector(".vp-btn") as HTMLElement | null)?.focus();
    },
    close() {
      root.hidden = true;
    },
    destroy() {
      root.remove();
    },
    state: () => state,
  };
  options.onChange?.(inForce(state), state);
  if (state.prompt_needed || options.force) handle.open();
  return handle;
}

/** One checkbox per purpose with its title and text; essential is shown, ticked, locked. */
export function purposeForm(
  purposes: PurposeText[],
  choices: Choices,
  locale: string,
  onSave: (choices: Partial<Choices>) => void,
): HTMLFormElement {
  const form = el("form", { class: "vp-purposes", "data-testid": "consent-form" });
  const boxes = new Map<Purpose, HTMLInputElement>();
  for (const p of purposes) {
    const id = `vp-purpose-${p.purpose}`;
    const box = el("input", {
      type: "checkbox",
      id,
      name: p.purpose,
      checked: p.required || choices[p.purpose],
      disabled: p.required,
      "data-testid": `purpose-${p.purpose}`,
    });
    boxes.set(p.purpose, box);
    form.append(
      el(
        "div",
        { class: "vp-purpose" },
        box,
        el("label", { for: id }, p.title, p.required ? ` (${pt(locale, "prompt.alwaysOn")})` : ""),
        el("p", { class: "vp-body" }, p.body),
      ),
    );
  }
  form.append(el("button", { type: "submit", class: "vp-btn", "data-testid": "consent-save" }, pt(locale, "prompt.save")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const out: Partial<Choices> = {};
    for (const purpose of OPTIONAL_PURPOSES) out[purpose] = boxes.get(purpose)?.checked ?? false;
    onSave(out);
  });
  return form;
}
