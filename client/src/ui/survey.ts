/**
 * The satisfaction survey after an advisor resolved the conversation: five scores as
 * native radio buttons and an optional comment, sent straight to the conversation (not
 * through the bot). Shown in the chat panel, in 3D and 2D alike.
 */

import { t } from "../i18n";
import { el } from "./dom";

export class SurveyForm {
  readonly element: HTMLFormElement;
  private readonly status: HTMLParagraphElement;
  private readonly comment: HTMLTextAreaElement;
  private conversationId: string | null = null;
  // A rating on its way may cross an older "still to rate" answer: never offer twice.
  private readonly rated = new Set<string>();

  constructor(private readonly send: (conversationId: string, score: number, comment: string) => Promise<unknown>) {
    this.status = el("p", { role: "status", "data-testid": "survey-status" });
    this.comment = el("textarea", { maxlength: 2000, rows: 2, "data-testid": "survey-comment" });
    this.element = el("form", { class: "survey", hidden: true, "data-testid": "survey" });
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.render();
  }

  /** Offer the survey for this conversation (null: nothing to rate). */
  offer(conversationId: string | null): void {
    if (conversationId !== null && this.rated.has(conversationId)) return;
    if (conversationId === this.conversationId) return;
    this.conversationId = conversationId;
    this.element.hidden = conversationId === null;
    this.status.textContent = "";
    this.render();
  }

  /** Redraw in the current language (keeps the chosen score). */
  render(): void {
    const chosen = this.element.querySelector<HTMLInputElement>("input[name=score]:checked")?.value;
    const scores = [1, 2, 3, 4, 5].map((n) =>
      el(
        "label",
        { class: "survey-score" },
        el("input", { type: "radio", name: "score", value: n, required: true, checked: chosen === String(n), "data-testid": `survey-score-${n}` }),
        el("span", { "aria-hidden": "true" }, String(n)),
        el("span", { class: "visually-hidden" }, t("survey.score", { n })),
      ),
    );
    const comment = this.comment;
    this.element.replaceChildren(
      el("fieldset", {}, el("legend", {}, `${t("survey.title")} ${t("survey.prompt")}`), ...scores),
      el("label", {}, t("survey.comment"), comment),
      el("button", { type: "submit", "data-testid": "survey-send" }, t("survey.send")),
      this.status,
    );
  }

  private async submit(): Promise<void> {
    const id = this.conversationId;
    const picked = this.element.querySelector<HTMLInputElement>("input[name=score]:checked");
    if (!id || !picked) return;
    this.rated.add(id);
    try {
      await this.send(id, Number(picked.value), this.comment.value);
    } catch (error) {
      console.warn("rating failed", error);
      this.rated.delete(id);
      this.status.textContent = t("survey.failed");
      return;
    }
    this.element.replaceChildren(this.status);
    this.status.textContent = t("survey.thanks");
    this.conversationId = null;
    window.setTimeout(() => {
      if (this.conversationId === null) this.element.hidden = true;
    }, 4000);
  }
}
