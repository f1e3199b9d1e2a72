/** Commerce over HTTP for the storefront: cart, checkout, payment, orders, garage, documents.
 * Every write carries an Idempotency-Key (a fresh one per operation, see docs/commerce.md). */

import { ApiError } from "../api/http";

export interface CartLine {
  id: string;
  product: string;
  product_name: Record<string, string>;
  configuration_id: string;
  quantity: number;
  unit_price: string;
  net: string;
  tax: string;
  total: string;
  phygital: boolean;
  available: number;
}

export interface Cart {
  id: string;
  status: string;
  currency: string | null;
  lines: CartLine[];
  net: string;
  tax: string;
  total: string;
  tax_label: string;
  tax_rate: string;
  deposit: string | null;
  verified_customer: boolean;
}

export interface Challenge {
  kind: string;
  prompt: Record<string, string>;
}

export interface Payment {
  id: string;
  status: string;
  amount: string;
  currency: string;
  decline_code: string | null;
  challenge: Challenge | null;
}

export interface Twin {
  id: string;
  product: string;
  product_title: string;
  serial: string;
  status: string;
  redeemed_side: string | null;
}

export interface Order {
  id: string;
  number: string;
  status: string;
  currency: string;
  total: string;
  paid: string;
  balance: string;
  due_now: string;
  payments: Payment[];
  twins: Twin[];
}

export interface Checkout {
  order: Order;
  payment: Payment;
}

export interface SharedDocument {
  id: string;
  version: number;
  kind: string;
  title: string;
  status: string;
  sha256: string;
  pdf_url: string;
}

export interface Address {
  line1: string;
  city: string;
  postal_code: string;
  country: string;
}

function csrfToken(): string {
  const match = /(?:^|;\s*)vitrina_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : "";
}

export function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** A declined payment (402) carries the payment's state and why. */
export class Declined extends ApiError {
  constructor(
    detail: string,
    readonly declineCode: string,
  ) {
    super(402, "payment_declined", detail);
  }
}

async function send<T>(method: string, url: string, body?: unknown, key: string = newKey()): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken();
    headers["Idempotency-Key"] = key;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  if (!response.ok) {
    let problem: { code?: string; detail?: string; decline_code?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // not problem+json
    }
    if (response.status === 402) throw new Declined(problem.detail ?? "declined", problem.decline_code ?? "declined");
    throw new ApiError(response.status, problem.code ?? "http_error", problem.detail ?? response.statusText);
  }
  return (await response.json()) as T;
}

export function shopApi(brand: string) {
  const base = `/api/brands/${encodeURIComponent(brand)}/commerce`;
  return {
    newCart: () => send<Cart>("POST", `${base}/carts`),
    cart: (id: string, locale: string) => send<Cart>("GET", `${base}/carts/${id}?locale=${locale}`),
    addItem: (cartId: string, product: string, optionIds: string[], locale: string) =>
      send<Cart>("POST", `${base}/carts/${cartId}/items`, { product, option_ids: optionIds, quantity: 1, locale }),
    setQuantity: (cartId: string, itemId: string, quantity: number) => send<Cart>("PATCH", `${base}/carts/${cartId}/items/${itemId}`, { quantity }),
    checkout: (cartId: string, body: { plan: string; name: string; email: string; shipping_address: Address; locale: string }) =>
      send<Checkout>("POST", `${base}/carts/${cartId}/checkout`, body),
    confirm: (orderId: string, paymentId: string, card: { number: string; exp_month: number; exp_year: number; cvc: string }) =>
      send<Payment>("POST", `${base}/orders/${orderId}/payments/${paymentId}/confirm`, { card }),
    challenge: (orderId: string, paymentId: string, code: string) => send<Payment>("POST", `${base}/orders/${orderId}/payments/${paymentId}/challenge`, { code }),
    order: (id: string) => send<Order>("GET", `${base}/orders/${id}`),
    orders: () => send<Order[]>("GET", `${base}/orders`),
    garage: () => send<Twin[]>("GET", `${base}/garage`),
    documents: () => send<SharedDocument[]>("GET", `${base}/documents`),
    countersignChallenge: (id: string, signer: string) => send<{ message: string }>("POST", `${base}/documents/${id}/countersign/challenge`, { method: "siwe", signer }),
    countersign: (id: string, message: string, signature: string) => send<SharedDocument>("POST", `${base}/documents/${id}/countersign`, { message, signature }),
  };
}

export type ShopApi = ReturnType<typeof shopApi>;
