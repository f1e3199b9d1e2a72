/** The embeddable chat widget: one script tag on a brand's site.
 *
 *   <script src="https://vitrina.example/widget.js" data-brand="aurora-motors" data-locale="fr"></script>
 *
 * It draws a chat button and panel in a shadow root (the host page's styles never leak
 * in) and talks to Vitrina over /ws/widget on the script's own origin. The guest token is
 * kept in localStorage so that a reload continues the same conversation. This bundle
 * imports nothing outside src/widget, so that it builds into one self-contained file.
 */

import { emptyState, reduce, socketUrl, type ServerFrame, type WidgetState } from "./state";
import { WIDGET_CSS } from "./style";

const TEXT: Record<string, Record<string, string>> = {
  en: { open: "Chat with us", person: "Talk to a person", send: "Send", placeholder: "Write a message…", rate: "Rate this conversation", close: "Close" },
  fr: { open: "Discuter", person: "Parler à un conseiller", send: "Envoyer", placeholder: "Votre message…", rate: "Notez cet échange", close: "Fermer" },
  it: { open: "Chatta con noi", person: "Parla con un consulente", send: "Invia", placeholder: "Scrivi un messaggio…", rate: "Valuta la conversazione", close: "Chiudi" },
};

function node<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ""): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  if (text) element.textContent = text;
  return element;
}

function mount(script: HTMLScriptElement): void {
  const brand = script.dataset.brand ?? "";
  if (!brand) return;
  const locale = script.dataset.locale ?? (document.documentElement.lang || "en").slice(0, 2);
  const t = TEXT[locale] ?? TEXT.en;
  const storageKey = `vitrina-widget:${brand}`;
  let state: WidgetState = { ...emptyState, token: localStorage.getItem(storageKey) ?? "" };
  let socket: WebSocket | null = null;

  const host = node("div", { "data-vitrina-widget": brand });
  const shadow = host.attachShadow({ mode: "open" });
  const style = node("style");
  style.textContent = WIDGET_CSS;
  const toggle = node("button", { class: "toggle", type: "button", "aria-expanded": "false" }, t.open);
  const panel = node("section", { class: "panel", role: "dialog", "aria-label": t.open, hidden: "" });
  const log = node("ol", { class: "log", "aria-live": "polite" });
  const error = node("p", { class: "error", role: "alert" });
  const rating = node("div", { class: "rating", hidden: "" });
  const form = node("form", { class: "compose" });
  const input = node("input", { type: "text", "aria-label": t.placeholder, placeholder: t.placeholder, maxlength: "4000" });
  const person = node("button", { type: "button", class: "person" }, t.person);
  form.append(input, node("button", { type: "submit" }, t.send));
  rating.append(node("span", {}, t.rate));
  for (let score = 1; score <= 5; score += 1) {
    const star = node("button", { type: "button", "aria-label": `${score}/5` }, "★".repeat(score));
    star.addEventListener("click", () => send({ type: "rate", score }));
    rating.append(star);
  }
  panel.append(log, rating, error, form, person);
  shadow.append(style, toggle, panel);
  document.body.append(host);

  // What the customer sends before the socket is open (they type fast, or it is
  // reconnecting) waits here instead of being lost; bounded, oldest dropped first.
  const outbox: string[] = [];
  function send(frame: Record<string, unknown>): void {
    const data = JSON.stringify(frame);
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(data);
      return;
    }
    outbox.push(data);
    if (outbox.length > 20) outbox.shift();
    if (!socket) connect();
  }

  function render(): void {
    log.replaceChildren(
      ...state.messages.map((m) => {
        const item = node("li", { class: `${m.author_kind} ${m.kind}` });
        if (m.author_kind !== "customer" && m.kind === "text") item.append(node("b", {}, `${m.author_name}: `));
        item.append(document.createTextNode(m.body));
        return item;
      }),
    );
    log.lastElementChild?.scrollIntoView({ block: "end" });
    rating.hidden = !state.askRating;
    person.hidden = state.state !== "bot";
    error.textContent = state.error;
  }

  function connect(): void {
    const opened = new WebSocket(socketUrl(script.src, brand, state.token, locale));
    socket = opened;
    opened.addEventListener("open", () => {
      for (const data of outbox.splice(0)) opened.send(data);
    });
    opened.addEventListener("message", (event) => {
      state = reduce(state, JSON.parse(String(event.data)) as ServerFrame);
      if (state.token) localStorage.setItem(storageKey, state.token);
      render();
    });
    opened.addEventListener("close", () => window.setTimeout(connect, 3000));
  }

  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) {
      if (!socket) connect();
      input.focus();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) send({ type: "say", text });
    input.value = "";
  });
  person.addEventListener("click", () => send({ type: "handoff" }));
}

const current = document.currentScript;
if (current instanceof HTMLScriptElement) mount(current);
