/**
 * The chat panel, the same in 3D and 2D: a log that screen readers announce and a
 * form to write. Every line is inserted as text, so a message such as
 * `<img src=x onerror=...>` is shown literally and never becomes markup.
 */

import { CHAT_MAX_CHARS } from "../net/protocol.gen";
import { t, type StringKey } from "../i18n";
import { el } from "./dom";
import { roleColor } from "../world/avatarViews";

export class ChatPanel {
  readonly element: HTMLElement;
  readonly log: HTMLOListElement;
  readonly input: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly heading: HTMLHeadingElement;
  private readonly label: HTMLLabelElement;
  private readonly notice: HTMLParagraphElement;
  private readonly counter: HTMLSpanElement;

  constructor(private readonly onSend: (text: string) => boolean) {
    this.heading = el("h2", { id: "chat-title" });
    this.log = el("ol", { class: "chat-log", "aria-live": "polite", "aria-relevant": "additions", "data-testid": "chat-log" });
    this.input = el("input", {
      id: "chat-input",
      type: "text",
      autocomplete: "off",
      "data-testid": "chat-input",
    });
    this.label = el("label", { for: "chat-input", class: "visually-hidden" });
    this.sendButton = el("button", { type: "submit", "data-testid": "chat-send" });
    this.notice = el("p", { class: "chat-notice", role: "status", "data-testid": "chat-notice" });
    // No `maxlength`: a pasted text would be cut without a word. The count shows near the
    // limit, and a longer message is refused with the reason instead.
    this.counter = el("span", { class: "chat-count", "aria-live": "polite", "data-testid": "chat-count" });
    this.input.addEventListener("input", () => this.count());
    const form = el("form", { class: "chat-form" }, this.label, this.input, this.counter, this.sendButton);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.element = el("section", { class: "chat", "aria-labelledby": "chat-title" }, this.heading, this.log, this.notice, form);
    this.relabel();
  }

  private count(): void {
    const length = [...this.input.value].length;
    this.counter.textContent = length > CHAT_MAX_CHARS * 0.8 ? t("chat.count", { count: length, max: CHAT_MAX_CHARS }) : "";
    this.input.setAttribute("aria-invalid", String(length > CHAT_MAX_CHARS));
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    const length = [...text].length;
    if (length > CHAT_MAX_CHARS) {
      this.notice.textContent = t("chat.tooLongCount", { count: length, max: CHAT_MAX_CHARS });
      return;
    }
    if (this.onSend(text)) {
      this.input.value = "";
      this.count();
      this.showNotice(null);
    } else {
      this.showNotice("chat.notSent");
    }
  }

  relabel(): void {
    this.heading.textContent = t("chat.title");
    this.log.setAttribute("aria-label", t("chat.log"));
    this.input.placeholder = t("chat.placeholder");
    this.label.textContent = t("chat.label");
    this.sendButton.textContent = t("chat.send");
  }

  add(name: string, badge: string, text: string, self: boolean): void {
    const who = el("span", { class: "chat-name" }, `${name}: `);
    who.style.color = roleColor(badge);
    const line = el("li", { class: self ? "chat-line self" : "chat-line", "data-badge": badge }, who, el("span", { class: "chat-text" }, text));
    this.log.append(line);
    while (this.log.childElementCount > 200) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** The texts of the lines shown now. */
  liveTexts(): string[] {
    return [...this.log.querySelectorAll(".chat-text")].map((node) => node.textContent ?? "");
  }

  /** Put the server's transcript back: before what was said live since the page opened
   * (first load), or instead of everything (a reconnection, which may have missed lines). */
  restore(lines: readonly { name: string; badge: string; text: string; self: boolean }[], replace: boolean): void {
    const live = replace ? [] : [...this.log.children];
    this.log.replaceChildren();
    for (const line of lines) this.add(line.name, line.badge, line.text, line.self);
    this.log.append(...live);
    this.log.scrollTop = this.log.scrollHeight;
  }

  showNotice(key: StringKey | null): void {
    this.notice.textContent = key ? t(key) : "";
  }
}
