/**
 * One product's panel: description, configurator (options as native radio buttons and
 * checkboxes, so the keyboard and screen readers work out of the box), the live price
 * from the server's quote, rule violations in words, a shareable saved configuration,
 * and the step-by-step explainers. Used by the 3D inspector and the 2D mode alike.
 */

import { formatMoney, quote, saveConfiguration, type Explainer, type Product, type Quote } from "../api/catalog";
import { ApiError } from "../api/http";
import { sh } from "../commerce/strings";
import { locale, localized, t } from "../i18n";
import { ExplainerSteps, defaultSelection, orderedSelection, toggleOption, twinLook, type TwinLook } from "../product/configurator";
import { clear, el } from "./dom";
import { Latest } from "./latest";

export interface ProductPanelHooks {
  onLook?: (look: TwinLook) => void;
  onStep?: (explainer: Explainer | null, index: number) => void;
  onClose?: () => void;
}

export class ProductPanel {
  readonly element: HTMLElement;
  selection: Set<string>;
  lastQuote: Quote | null = null;
  quotes = 0;
  private readonly steps: ExplainerSteps;
  private readonly priceBox: HTMLElement;
  private readonly stepBox: HTMLElement;
  private readonly shareBox: HTMLElement;
  private readonly quoting = new Latest();
  private readonly saving = new Latest();

  constructor(
    private readonly brand: string,
    readonly product: Product,
    private readonly hooks: ProductPanelHooks = {},
  ) {
    this.selection = defaultSelection(product);
    this.steps = new ExplainerSteps(product.explainers.length);
    this.priceBox = el("div", { class: "price", "aria-live": "polite", "data-testid": "price" });
    this.stepBox = el("div", { class: "explainer", "aria-live": "polite" });
    this.shareBox = el("p", { class: "share", role: "status" });
    this.element = el("section", { class: "product-panel", "data-product": product.slug, "aria-label": localized(product.name, product.slug) });
    this.render();
    void this.refreshPrice();
  }

  private render(): void {
    const p = this.product;
    clear(this.element);
    const heading = el("h2", { tabindex: -1 }, localized(p.name, p.slug));
    const description = el("p", { class: "description" }, localized(p.description));
    const form = el("form", { class: "configurator", "aria-label": t("product.configure") });
    form.addEventListener("submit", (event) => event.preventDefault());
    for (const group of p.groups) {
      const fieldset = el("fieldset", { "data-group": group.id }, el("legend", {}, localized(group.name, group.id)));
      for (const option of group.options) {
        const id = `opt-${p.slug}-${option.id}`;
        const input = el("input", {
          type: group.exclusive ? "radio" : "checkbox",
          id,
          name: `${p.slug}-${group.id}`,
          value: option.id,
          checked: this.selection.has(option.id),
          "data-option": option.id,
        });
        // Radio buttons cannot be unticked by the browser; a second click or Space does it here.
        input.addEventListener("click", () => this.pick(option.id));
        const price = option.price && Number(option.price.amount) !== 0 ? ` (+${formatMoney(option.price.amount, option.price.currency, locale())})` : "";
        fieldset.append(el("div", { class: "option" }, input, el("label", { for: id }, `${localized(option.name, option.id)}${price}`)));
      }
      form.append(fieldset);
    }
    const save = el("button", { type: "button", "data-testid": "save-configuration" }, t("product.save"));
    save.addEventListener("click", () => void this.save());
    // The shop (commerce/shop.ts) registers itself once the storefront is up.
    const buy = el("button", { type: "button", "data-testid": "add-to-cart" }, sh(locale(), "product.addToCart"));
    buy.addEventListener("click", () => void window.__shop?.addToCart(p.slug, orderedSelection(p, this.selection)));
    const parts: Node[] = [heading, description];
    if (p.groups.length) parts.push(el("h3", {}, t("product.configure")), form, this.priceBox, save, buy, this.shareBox);
    else parts.push(this.priceBox, buy);
    if (p.explainers.length) {
      const prev = el("button", { type: "button", "data-testid": "explainer-prev" }, t("product.prev"));
      const next = el("button", { type: "button", "data-testid": "explainer-next" }, t("product.next"));
      prev.addEventListener("click", () => this.showStep(this.steps.prev()));
      next.addEventListener("click", () => this.showStep(this.steps.next()));
      parts.push(el("h3", {}, t("product.explain")), this.stepBox, el("div", { class: "steps-nav" }, prev, next));
    }
    if (this.hooks.onClose) {
      const close = el("button", { type: "button", class: "close", "data-testid": "close-product" }, t("product.close"));
      close.addEventListener("click", () => this.hooks.onClose?.());
      parts.push(close);
    }
    this.element.append(...parts);
    this.renderPrice();
    this.showStep(this.steps.index, false);
    this.hooks.onLook?.(twinLook(p, this.selection));
  }

  relabel(): void {
    this.render();
  }

  focus(): void {
    this.element.querySelector<HTMLElement>("h2")?.focus();
  }

  pick(optionId: string): void {
    this.selection = toggleOption(this.product, this.selection, optionId);
    for (const input of this.element.querySelectorAll<HTMLInputElement>("input[data-option]")) {
      input.checked = this.selection.has(input.value);
    }
    this.shareBox.textContent = "";
    this.saving.discard(); // a link still on its way would share the previous choice
    this.hooks.onLook?.(twinLook(this.product, this.selection));
    void this.refreshPrice();
  }

  private async refreshPrice(): Promise<void> {
    const stillNewest = this.quoting.begin();
    try {
      const result = await quote(this.brand, this.product.slug, orderedSelection(this.product, this.selection), locale());
      if (!stillNewest()) return; // a newer choice is being priced
      this.lastQuote = result;
      this.quotes += 1;
    } catch (error) {
      if (!stillNewest()) return;
      this.lastQuote = null;
      console.warn("quote failed", error);
    }
    this.renderPrice();
  }

  private renderPrice(): void {
    clear(this.priceBox);
    const q = this.lastQuote;
    const base = this.product.basePrice;
    if (!q) {
      this.priceBox.append(el("p", {}, `${t("product.price")}: `, el("strong", {}, formatMoney(base.amount, base.currency, locale()))));
      return;
    }
    const fmt = (amount: string): string => formatMoney(amount, q.currency, locale());
    this.priceBox.append(
      el(
        "dl",
        {},
        el("dt", {}, t("product.base")),
        el("dd", {}, fmt(q.base || base.amount)),
        el("dt", {}, t("product.options")),
        el("dd", {}, fmt(q.options || "0")),
        el("dt", {}, t("product.total")),
        el("dd", { "data-testid": "total" }, el("strong", {}, fmt(q.total))),
      ),
    );
    if (!q.valid) {
      this.priceBox.append(el("p", { class: "invalid", role: "alert" }, t("product.invalid")), el("ul", { class: "violations" }, ...q.violations.map((v) => el("li", {}, v))));
    }
  }

  private showStep(index: number, notify = true): void {
    const explainer = this.product.explainers[index];
    clear(this.stepBox);
    if (!explainer) return;
    const title = localized(explainer.title, explainer.part);
    this.stepBox.append(
      el("p", { class: "step-count" }, t("product.step", { n: index + 1, total: this.product.explainers.length })),
      el("h4", {}, title),
      el("p", { "data-testid": "explainer-text" }, localized(explainer.text)),
    );
    if (notify) this.hooks.onStep?.(explainer, index);
  }

  get currentExplainer(): Explainer | null {
    return this.product.explainers[this.steps.index] ?? null;
  }

  private async save(): Promise<void> {
    const stillNewest = this.saving.begin();
    try {
      const id = await saveConfiguration(this.brand, this.product.slug, orderedSelection(this.product, this.selection));
      if (!stillNewest()) return; // saved again, or the choice changed, meanwhile
      const link = `${location.origin}/store/${this.brand}?product=${encodeURIComponent(this.product.slug)}&configuration=${encodeURIComponent(id)}`;
      this.shareBox.textContent = `${t("product.saved")} ${link}`;
    } catch (error) {
      if (!stillNewest()) return;
      // The server's words are for developers ("422 configuration_invalid: ..."): the
      // customer reads why in their language, the rules broken being listed above.
      console.warn("save failed", error);
      const invalid = error instanceof ApiError && error.code === "configuration_invalid";
      this.shareBox.textContent = t(invalid ? "config.invalid" : "config.saveFailed");
    }
  }
}
