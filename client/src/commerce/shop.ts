/**
 * The shop in the storefront: the cart, checkout with the sandbox card form and its
 * challenge step, my orders, "My garage" (digital twins) and documents to countersign
 * with the demo wallet. One panel, opened from the toolbar in the 3D view and from the 2D
 * view; plain HTML with native controls, labelled in the visitor's language.
 */

import "./shop.css";
import { formatMoney } from "../api/catalog";
import { ApiError } from "../api/http";
import { locale, localized, onLocaleChange } from "../i18n";
import { clear, el } from "../ui/dom";
import { Declined, shopApi, type Cart, type Checkout, type Order, type SharedDocument, type ShopApi, type Twin } from "./api";
import { sh, type ShopKey } from "./strings";

const s = (key: ShopKey, params?: Record<string, string>) => sh(locale(), key, params);

function reasonOf(error: unknown): string {
  return error instanceof ApiError ? error.detail : String(error);
}

function field(label: string, input: HTMLInputElement): HTMLLabelElement {
  return el("label", {}, label, input);
}

interface TypedFields {
  values: Map<string, string | boolean>;
  focused: { id: string; start: number | null; end: number | null } | null;
}

/** The fields of `root` the customer changed, by test id (radios and boxes by checked). */
function typedFields(root: HTMLElement): TypedFields {
  const values = new Map<string, string | boolean>();
  for (const input of root.querySelectorAll<HTMLInputElement>("input[data-testid]")) {
    const id = input.dataset.testid ?? "";
    if (input.type === "radio" || input.type === "checkbox") {
      if (input.checked !== input.defaultChecked) values.set(id, input.checked);
    } else if (input.value !== input.defaultValue) {
      values.set(id, input.value);
    }
  }
  const active = document.activeElement;
  const focused =
    active instanceof HTMLInputElement && root.contains(active) && active.dataset.testid
      ? { id: active.dataset.testid, start: active.selectionStart, end: active.selectionEnd }
      : null;
  return { values, focused };
}

function restoreFields(root: HTMLElement, typed: TypedFields): void {
  for (const [id, value] of typed.values) {
    const input = root.querySelector<HTMLInputElement>(`input[data-testid="${CSS.escape(id)}"]`);
    if (!input) continue;
    if (typeof value === "boolean") input.checked = value;
    else input.value = value;
  }
  if (!typed.focused) return;
  const input = root.querySelector<HTMLInputElement>(`input[data-testid="${CSS.escape(typed.focused.id)}"]`);
  if (!input) return;
  input.focus();
  if (typed.focused.start !== null && typed.focused.end !== null) {
    try {
      input.setSelectionRange(typed.focused.start, typed.focused.end);
    } catch {
      // email and number inputs have no selection
    }
  }
}

export class ShopPanel {
  readonly element: HTMLElement;
  private readonly api: ShopApi;
  private readonly body: HTMLElement;
  readonly status: HTMLElement;
  private readonly title: HTMLElement;
  private cart: Cart | null = null;
  private placed: Checkout | null = null;
  private challengeOpen = false;
  private orders: Order[] = [];
  private twins: Twin[] = [];
  private documents: SharedDocument[] = [];
  private readonly cartKey: string;

  constructor(brand: string) {
    this.api = shopApi(brand);
    this.cartKey = `vitrina.cart.${brand}`;
    this.title = el("h2", { id: "shop-panel-title", tabindex: -1 });
    this.status = el("p", { role: "status", "aria-live": "polite", "data-testid": "shop-status" });
    this.body = el("div", { class: "shop-body" });
    this.element = el("section", { id: "shop-panel", class: "shop-panel", role: "dialog", "aria-labelledby": this.title.id, hidden: true, "data-testid": "shop-panel" }, this.title, this.status, this.body);
  }

  private say(text: string): void {
    this.status.textContent = text;
  }

  private money(amount: string, currency: string | null): string {
    return formatMoney(amount, currency ?? "EUR", locale());
  }

  async addToCart(product: string, optionIds: string[]): Promise<void> {
    try {
      const cart = await this.ensureCart();
      this.cart = await this.api.addItem(cart.id, product, optionIds, locale());
      this.placed = null;
      this.say(s("shop.added"));
    } catch (error) {
      this.say(s("shop.failed", { reason: reasonOf(error) }));
    }
    this.render();
  }

  private async ensureCart(): Promise<Cart> {
    const known = localStorage.getItem(this.cartKey);
    if (known) {
      try {
        const cart = await this.api.cart(known, locale());
        if (cart.status === "open") return cart;
      } catch {
        // gone, or another session's: start a new one
      }
    }
    const made = await this.api.newCart();
    localStorage.setItem(this.cartKey, made.id);
    return made;
  }

  async refresh(): Promise<void> {
    const known = localStorage.getItem(this.cartKey);
    if (known) {
      try {
        this.cart = await this.api.cart(known, locale());
      } catch {
        this.cart = null;
      }
    }
    this.orders = await this.api.orders().catch(() => []);
    // Twins and documents are a signed-in customer's (403 otherwise).
    this.twins = await this.api.garage().catch(() => []);
    this.documents = await this.api.documents().catch(() => []);
    this.render();
  }

  render(): void {
    this.title.textContent = s("shop.title");
    // A refresh can land while the customer types their address or card: what they typed,
    // and where the caret was, survive into the new panel.
    const typed = typedFields(this.body);
    clear(this.body);
    this.body.append(...this.cartSection(), ...this.paymentSection(), ...this.lists());
    restoreFields(this.body, typed);
  }

  private cartSection(): Node[] {
    const cart = this.cart;
    if (!cart || cart.status !== "open" || !cart.lines.length) {
      return this.placed ? [] : [el("p", { class: "empty", "data-testid": "shop-empty" }, s("shop.empty"))];
    }
    const lines = el("ul", { "data-testid": "cart-lines" });
    for (const line of cart.lines) {
      const remove = el("button", { type: "button", "data-testid": "cart-remove" }, s("shop.remove"));
      remove.addEventListener("click", () => void this.remove(line.id));
      lines.append(el("li", { "data-product": line.product }, `${line.quantity} × ${localized(line.product_name, line.product)} — ${this.money(line.total, cart.currency)} `, remove));
    }
    const totals = el(
      "dl",
      { "data-testid": "cart-totals" },
      el("dt", {}, s("shop.net")),
      el("dd", {}, this.money(cart.net, cart.currency)),
      el("dt", {}, s("shop.tax", { label: cart.tax_label, rate: String(Math.round(Number(cart.tax_rate) * 10000) / 100) })),
      el("dd", {}, this.money(cart.tax, cart.currency)),
      el("dt", {}, s("shop.total")),
      el("dd", { "data-testid": "cart-total" }, el("strong", {}, this.money(cart.total, cart.currency))),
    );
    const form = el("form", { "data-testid": "checkout-form" });
    const plans: Node[] = [];
    const plan = (value: string, label: string, checked: boolean) => {
      const input = el("input", { type: "radio", name: "plan", value, checked, "data-testid": `plan-${value}` });
      plans.push(el("label", { class: "row" }, input, label));
    };
    plan("full", s("shop.planFull", { amount: this.money(cart.total, cart.currency) }), cart.deposit === null);
    if (cart.deposit !== null) plan("deposit", s("shop.planDeposit", { amount: this.money(cart.deposit, cart.currency) }), true);
    const input = (name: string, value = "", extra: Record<string, string> = {}) => el("input", { name, value, required: true, "data-testid": `checkout-${name}`, ...extra });
    form.append(
      ...plans,
      field(s("shop.name"), input("name", "", { autocomplete: "name" })),
      field(s("shop.email"), input("email", "", { type: "email", autocomplete: "email" })),
      field(s("shop.line1"), input("line1", "", { autocomplete: "address-line1" })),
      el("div", { class: "row" }, field(s("shop.city"), input("city")), field(s("shop.postal"), input("postal_code"))),
      field(s("shop.country"), input("country", "IT", { maxlength: "2" })),
      el("button", { type: "submit", "data-testid": "checkout-submit" }, s("shop.checkout")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.checkout(new FormData(form));
    });
    return [lines, totals, form];
  }

  private paymentSection(): Node[] {
    const placed = this.placed;
    if (!placed || placed.order.status !== "pending") return [];
    const { order, payment } = placed;
    if (this.challengeOpen) {
      const prompt = payment.challenge ? localized(payment.challenge.prompt) : "";
      const code = el("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, "data-testid": "challenge-code" });
      const form = el("form", { "data-testid": "challenge-form" }, el("p", {}, prompt), field(s("shop.challengeCode"), code), el("button", { type: "submit", "data-testid": "challenge-submit" }, s("shop.challengeSend")));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        void this.answer(code.value);
      });
      return [form];
    }
    const now = new Date();
    const number = el("input", { name: "number", inputmode: "numeric", autocomplete: "cc-number", required: true, "data-testid": "card-number" });
    const month = el("input", { name: "exp_month", inputmode: "numeric", value: "12", required: true, size: 2, "data-testid": "card-month" });
    const year = el("input", { name: "exp_year", inputmode: "numeric", value: String(now.getFullYear() + 3), required: true, size: 4, "data-testid": "card-year" });
    const cvc = el("input", { name: "cvc", inputmode: "numeric", required: true, size: 4, "data-testid": "card-cvc" });
    const form = el(
      "form",
      { "data-testid": "card-form" },
      field(s("shop.card"), number),
      el("div", { class: "row" }, field(s("shop.expMonth"), month), field(s("shop.expYear"), year), field(s("shop.cvc"), cvc)),
      el("p", { class: "hint" }, s("shop.sandbox")),
      el("button", { type: "submit", "data-testid": "card-submit" }, s("shop.pay", { amount: this.money(payment.amount, payment.currency) })),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.pay(order.id, payment.id, { number: number.value, exp_month: Number(month.value), exp_year: Number(year.value), cvc: cvc.value });
    });
    return [form];
  }

  private lists(): Node[] {
    const orders = el("ul", { "data-testid": "my-orders" });
    for (const o of this.orders) {
      orders.append(el("li", { "data-order": o.number, "data-status": o.status }, s("shop.orderLine", { number: o.number, status: s(`shop.status.${o.status}` as ShopKey), paid: this.money(o.paid, o.currency), total: this.money(o.total, o.currency) })));
    }
    const garage = el("ul", { "data-testid": "my-garage" });
    for (const twin of this.twins) garage.append(el("li", { "data-serial": twin.serial }, s("shop.twin", { title: twin.product_title, serial: twin.serial, status: twin.status })));
    if (!this.twins.length) garage.append(el("li", { class: "empty" }, s("shop.garageNone")));
    const docs = el("ul", { "data-testid": "my-documents" });
    for (const doc of this.documents) {
      const item = el("li", { "data-document": doc.id, "data-status": doc.status }, `${doc.title} (v${doc.version}, ${doc.status}) `, el("a", { href: doc.pdf_url, target: "_blank", rel: "noopener" }, s("shop.viewPdf")));
      if (doc.status === "shared") {
        const sign = el("button", { type: "button", "data-testid": "countersign" }, s("shop.countersign"));
        sign.addEventListener("click", () => void this.countersign(doc));
        item.append(" ", sign);
      }
      docs.append(item);
    }
    if (!this.documents.length) docs.append(el("li", { class: "empty" }, s("shop.documentsNone")));
    const refresh = el("button", { type: "button", "data-testid": "shop-refresh" }, s("shop.refresh"));
    refresh.addEventListener("click", () => void this.refresh());
    return [el("h3", {}, s("shop.orders")), orders, el("h3", {}, s("shop.garage")), garage, el("h3", {}, s("shop.documents")), docs, refresh];
  }

  private async remove(itemId: string): Promise<void> {
    if (!this.cart) return;
    try {
      this.cart = await this.api.setQuantity(this.cart.id, itemId, 0);
    } catch (error) {
      this.say(s("shop.failed", { reason: reasonOf(error) }));
    }
    this.render();
  }

  private async checkout(data: FormData): Promise<void> {
    if (!this.cart) return;
    const text = (name: string) => String(data.get(name) ?? "").trim();
    try {
      this.placed = await this.api.checkout(this.cart.id, {
        plan: text("plan") || "full",
        name: text("name"),
        email: text("email"),
        shipping_address: { line1: text("line1"), city: text("city"), postal_code: text("postal_code"), country: text("country").toUpperCase() },
        locale: locale(),
      });
      localStorage.removeItem(this.cartKey);
      this.cart = null;
      this.challengeOpen = false;
      this.say("");
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      this.say(code === "verification_required" ? s("shop.signInFirst") : code === "out_of_stock" ? s("shop.outOfStock") : s("shop.failed", { reason: reasonOf(error) }));
    }
    this.render();
  }

  private async pay(orderId: string, paymentId: string, card: { number: string; exp_month: number; exp_year: number; cvc: string }): Promise<void> {
    try {
      const payment = await this.api.confirm(orderId, paymentId, card);
      if (this.placed) this.placed = { ...this.placed, payment };
      if (payment.status === "requires_action") {
        this.challengeOpen = true;
        this.render();
        return;
      }
      await this.awaitPaid(orderId);
    } catch (error) {
      this.say(error instanceof Declined ? s("shop.declined", { code: error.declineCode }) : s("shop.failed", { reason: reasonOf(error) }));
      this.render();
    }
  }

  private async answer(code: string): Promise<void> {
    if (!this.placed) return;
    const { order, payment } = this.placed;
    try {
      await this.api.challenge(order.id, payment.id, code);
      this.challengeOpen = false;
      await this.awaitPaid(order.id);
    } catch (error) {
      this.challengeOpen = false;
      this.say(error instanceof Declined ? s("shop.declined", { code: error.declineCode }) : s("shop.failed", { reason: reasonOf(error) }));
      this.render();
    }
  }

  /** The bank confirms by a webhook to the server: read the order until it says paid. */
  private async awaitPaid(orderId: string): Promise<void> {
    this.say(s("shop.processing"));
    for (let i = 0; i < 60; i++) {
      const order = await this.api.order(orderId);
      if (order.status !== "pending" || order.payments.some((p) => p.decline_code)) {
        if (this.placed) this.placed = { ...this.placed, order };
        if (order.status === "paid") this.say(s("shop.paid", { number: order.number }));
        else this.say(s("shop.declined", { code: order.payments.at(-1)?.decline_code ?? order.status }));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await this.refresh();
  }

  private async countersign(doc: SharedDocument): Promise<void> {
    try {
      const { createDemoWallet } = await import("../identity/demoWallet");
      const wallet = createDemoWallet();
      const { message } = await this.api.countersignChallenge(doc.id, wallet.address);
      const signature = await wallet.personalSign(message);
      await this.api.countersign(doc.id, message, signature);
      this.say(s("shop.countersigned"));
    } catch (error) {
      this.say(s("shop.failed", { reason: reasonOf(error) }));
    }
    await this.refresh();
  }
}

export interface ShopMount {
  brand: string;
  toolbar: HTMLElement;
  plain: HTMLElement;
}

export interface ShopHandle {
  panel: ShopPanel;
  open(): void;
  addToCart(product: string, optionIds: string[]): Promise<void>;
}

declare global {
  interface Window {
    __shop?: ShopHandle;
  }
}

export function mountShop(options: ShopMount): ShopHandle {
  const panel = new ShopPanel(options.brand);
  const openButton = el("button", { type: "button", "aria-expanded": "false", "aria-controls": "shop-panel", "data-testid": "shop-open" });
  const openPlain = el("button", { type: "button", "aria-controls": "shop-panel", "data-testid": "shop-open-2d" });
  const close = el("button", { type: "button", class: "close", "data-testid": "shop-close" });
  panel.element.prepend(el("div", { class: "head" }, close));
  const open = () => {
    panel.element.hidden = false;
    openButton.setAttribute("aria-expanded", "true");
    void panel.refresh();
  };
  const hide = () => {
    panel.element.hidden = true;
    openButton.setAttribute("aria-expanded", "false");
    openButton.focus();
  };
  openButton.addEventListener("click", () => (panel.element.hidden ? open() : hide()));
  openPlain.addEventListener("click", open);
  close.addEventListener("click", hide);
  panel.element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      hide();
    }
  });
  options.toolbar.append(openButton);
  options.plain.append(el("section", { class: "shop-section", "data-testid": "shop-2d" }, openPlain));
  document.body.append(panel.element);
  const relabel = () => {
    openButton.textContent = s("shop.open");
    openPlain.textContent = s("shop.open");
    close.textContent = s("shop.close");
    panel.render();
  };
  relabel();
  onLocaleChange(relabel);
  const handle: ShopHandle = {
    panel,
    open,
    addToCart: async (product, optionIds) => {
      await panel.addToCart(product, optionIds);
      open();
    },
  };
  window.__shop = handle;
  return handle;
}
