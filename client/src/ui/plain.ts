/**
 * The accessible 2D storefront: the same conversation, products, configurator and
 * booking as the 3D view, in plain HTML with headings, landmarks and native controls,
 * so it works with the keyboard alone and with a screen reader.
 */

import type { Brand } from "../api/brand";
import type { Explainer, Product } from "../api/catalog";
import { formatMoney } from "../api/catalog";
import { locale, localized, t } from "../i18n";
import { clear, el } from "./dom";
import { ProductPanel } from "./productPanel";

export class PlainView {
  readonly element: HTMLElement;
  panel: ProductPanel | null = null;
  private products: Product[] = [];
  /** The product suggested first to this visitor, marked in the list. */
  private highlighted: string | null = null;
  /** Product slug -> a photo of its digital twin on its stand (data URL), when 3D is available. */
  private photos = new Map<string, string>();
  private readonly list: HTMLElement;
  private readonly panelSlot: HTMLElement;
  private readonly intro: HTMLElement;
  private readonly booking: HTMLElement;

  constructor(
    private readonly brand: Brand,
    private readonly onStep: (explainer: Explainer | null) => void = () => undefined,
  ) {
    this.intro = el("section", { class: "intro" });
    this.list = el("section", { class: "products", "aria-labelledby": "products-title" });
    this.panelSlot = el("div", { class: "panel-slot" });
    this.booking = el("section", { class: "booking", "aria-labelledby": "booking-title" });
    this.element = el("main", { id: "plain", class: "plain", "data-testid": "plain" }, this.intro, this.list, this.panelSlot, this.booking);
    this.relabel();
  }

  setProducts(products: Product[]): void {
    this.products = products;
    this.renderList();
  }

  setHighlight(slug: string | null): void {
    if (slug === this.highlighted) return;
    this.highlighted = slug;
    this.renderList();
  }

  setPhotos(photos: Map<string, string>): void {
    this.photos = photos;
    this.renderList();
  }

  private renderList(): void {
    clear(this.list);
    this.list.append(el("h2", { id: "products-title" }, t("product.products")));
    if (!this.products.length) {
      this.list.append(el("p", {}, t("product.none")));
      return;
    }
    const ul = el("ul");
    for (const product of this.products) {
      const open = el("button", { type: "button", "data-testid": `configure-${product.slug}` }, `${t("product.configure")}: ${localized(product.name, product.slug)}`);
      open.addEventListener("click", () => this.open(product));
      ul.append(
        el(
          "li",
          { "data-recommended": product.slug === this.highlighted },
          product.slug === this.highlighted ? el("span", { class: "badge", "data-testid": "suggested-for-you" }, t("forYou.suggested")) : null,
          el("h3", {}, localized(product.name, product.slug)),
          this.photos.has(product.slug)
            ? el("img", { class: "photo", src: this.photos.get(product.slug), alt: localized(product.name, product.slug), width: 480, height: 360, "data-testid": `photo-${product.slug}` })
            : null,
          el("p", {}, localized(product.description)),
          el("p", {}, `${t("product.price")}: ${formatMoney(product.basePrice.amount, product.basePrice.currency, locale())}`),
          open,
        ),
      );
    }
    this.list.append(ul);
  }

  open(product: Product): void {
    this.panel = new ProductPanel(this.brand.slug, product, {
      onStep: (explainer) => this.onStep(explainer),
      onClose: () => {
        this.panel = null;
        clear(this.panelSlot);
        this.list.querySelector<HTMLButtonElement>(`[data-testid="configure-${product.slug}"]`)?.focus();
      },
    });
    this.panelSlot.replaceChildren(this.panel.element);
    this.panel.focus();
  }

  relabel(): void {
    const content = this.brand.content[locale()] ?? this.brand.content[this.brand.default_locale] ?? {};
    this.intro.replaceChildren(el("h2", {}, this.brand.name), el("p", {}, content.tagline ?? ""), el("p", {}, content.welcome ?? ""));
    this.booking.replaceChildren(el("h2", { id: "booking-title" }, t("booking.title")), el("p", {}, t("booking.hint")));
    this.renderList();
    this.panel?.relabel();
  }
}
