/** Staff manage a brand's resources: weekly hours, dated exceptions, buffers, active. */

import { ApiError } from "../console/api";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { staffApi, type Resource, type ResourceUpdate } from "./api";
import { HoursTextError, WEEKDAYS, formatExceptions, formatSpans, parseExceptions, parseSpans } from "./model";
import { CONSOLE_STRINGS, LOCALES, labelOf, t, type ConsoleKey } from "../console/strings";

/** "closed" in every language the console speaks: staff may type any of them. */
const CLOSED_WORDS = LOCALES.map((code) => CONSOLE_STRINGS[code]["resources.closed"]);

const PROBLEMS: Record<HoursTextError["problem"], ConsoleKey> = {
  span: "resources.badSpan",
  date: "resources.badDate",
  order: "resources.endsBefore",
};

/** What the resource form holds, kept when the form is drawn again in another language. */
interface Draft {
  days: string[];
  exceptions: string;
  before: string;
  after: string;
  active: boolean;
  error: () => string;
}

export class ResourcesView {
  readonly element: HTMLElement;
  private readonly heading = el("h2", { id: "resources-heading" });
  private readonly list = el("div", { class: "resources" });
  private readonly editor = el("div", { class: "resource-editor" });
  private readonly status = el("p", { role: "status", class: "status", "data-testid": "resources-status" });
  private resources: Resource[] = [];
  private readonly loads = new Latest();
  /** What the status line says, as a function of the language. */
  private statusText: () => string = () => "";
  /** The open form's resource, and how to read what it holds now. */
  private editing: { resource: Resource; draft: () => Draft } | null = null;

  constructor(private brand: () => string) {
    this.element = el("section", { class: "resources-view", "aria-labelledby": "resources-heading" }, this.heading, this.list, this.editor, this.status);
    this.heading.textContent = t("resources.title");
  }

  /** Shows the view again in the console's current language; an open form keeps its input. */
  relabel(): void {
    this.heading.textContent = t("resources.title");
    this.status.textContent = this.statusText();
    if (this.resources.length) this.renderList();
    if (this.editing) this.edit(this.editing.resource, this.editing.draft());
  }

  private say(text: () => string): void {
    this.statusText = text;
    this.status.textContent = text();
  }

  async show(): Promise<void> {
    const stillNewest = this.loads.begin();
    try {
      const resources = await staffApi.resources(this.brand());
      if (!stillNewest()) return; // another brand (or a reload) was asked for meanwhile
      this.resources = resources;
      this.renderList();
    } catch (error) {
      if (!stillNewest()) return;
      const detail = error instanceof ApiError ? error.detail : null;
      this.say(() => detail ?? t("resources.failed"));
    }
  }

  private renderList(): void {
    clear(this.list);
    const tbody = el("tbody");
    for (const r of this.resources) {
      const edit = el("button", { type: "button", "data-testid": "resource-edit", "aria-label": t("resources.editName", { name: r.name }) }, t("resources.edit"));
      edit.addEventListener("click", () => this.edit(r));
      const hours = WEEKDAYS.filter((d) => r.weekly_hours[d]?.length)
        .map((d) => `${labelOf("weekday", d)} ${formatSpans(r.weekly_hours[d] ?? [])}`)
        .join("; ");
      tbody.append(
        el(
          "tr",
          { "data-resource": r.name },
          el("th", { scope: "row" }, r.name),
          el("td", {}, labelOf("kind", r.kind)),
          el("td", {}, r.skills.join(", ")),
          el("td", {}, `${hours || t("resources.closed")} (${r.timezone})`),
          el("td", {}, t("resources.bufferMinutes", { before: r.buffer_before_min, after: r.buffer_after_min })),
          el("td", {}, t(r.active ? "resources.yes" : "resources.no")),
          el("td", {}, edit),
        ),
      );
    }
    const head: ConsoleKey[] = ["resources.name", "resources.kind", "resources.skills", "resources.weeklyHours", "resources.buffers", "resources.active"];
    this.list.append(
      el(
        "table",
        { class: "agenda-table", "data-testid": "resources" },
        el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, t(h))), el("th", { scope: "col" }))),
        tbody,
      ),
    );
  }

  private edit(resource: Resource, draft?: Draft): void {
    const closed = t("resources.closed");
    const days = WEEKDAYS.map((day, i) =>
      el("input", {
        type: "text",
        id: `hours-${day}`,
        name: day,
        value: draft ? draft.days[i] : formatSpans(resource.weekly_hours[day] ?? []),
        placeholder: closed,
        "data-testid": `hours-${day}`,
      }),
    );
    const exceptions = el("textarea", { id: "exceptions", "data-testid": "exceptions", placeholder: t("resources.exceptionsExample") });
    exceptions.value = draft ? draft.exceptions : formatExceptions(resource.exceptions, closed);
    const before = el("input", { type: "number", id: "buffer-before", min: 0, max: 240, value: draft ? draft.before : resource.buffer_before_min, "data-testid": "buffer-before" });
    const after = el("input", { type: "number", id: "buffer-after", min: 0, max: 240, value: draft ? draft.after : resource.buffer_after_min, "data-testid": "buffer-after" });
    const active = el("input", { type: "checkbox", id: "resource-active", checked: draft ? draft.active : resource.active });
    const error = el("p", { class: "error", role: "alert", "data-testid": "resource-error" });
    let errorText: () => string = draft?.error ?? (() => "");
    const showError = (text: () => string) => {
      errorText = text;
      error.textContent = text();
    };
    showError(errorText);
    const cancel = el("button", { type: "button" }, t("resources.close"));
    cancel.addEventListener("click", () => {
      this.editing = null;
      clear(this.editor);
    });
    const form = el(
      "form",
      { class: "resource-form", "aria-label": t("resources.editName", { name: resource.name }), "data-testid": "resource-form" },
      el("h3", {}, t("resources.hoursTitle", { name: resource.name, timezone: resource.timezone })),
      el("div", { class: "days" }, ...WEEKDAYS.flatMap((day, i) => [el("label", { for: `hours-${day}` }, labelOf("weekday", day)), days[i]])),
      el("label", { for: "exceptions" }, t("resources.exceptions")),
      exceptions,
      el("label", { for: "buffer-before" }, t("resources.bufferBefore"), " ", before),
      el("label", { for: "buffer-after" }, t("resources.bufferAfter"), " ", after),
      el("label", { for: "resource-active" }, active, " ", t("resources.bookable")),
      el("div", { class: "actions" }, el("button", { type: "submit", "data-testid": "resource-save" }, t("resources.save")), cancel),
      error,
    );
    this.editing = {
      resource,
      draft: () => ({
        days: days.map((d) => d.value),
        exceptions: exceptions.value,
        before: before.value,
        after: after.value,
        active: active.checked,
        error: errorText,
      }),
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      showError(() => "");
      let patch: ResourceUpdate;
      try {
        patch = {
          weekly_hours: Object.fromEntries(WEEKDAYS.map((day, i) => [day, parseSpans(days[i].value, CLOSED_WORDS)])),
          exceptions: parseExceptions(exceptions.value, CLOSED_WORDS),
          buffer_before_min: Number(before.value),
          buffer_after_min: Number(after.value),
          active: active.checked,
        };
      } catch (problem) {
        if (problem instanceof HoursTextError) showError(() => t(PROBLEMS[problem.problem], { text: problem.text }));
        else {
          const message = problem instanceof Error ? problem.message : String(problem);
          showError(() => message);
        }
        return;
      }
      void staffApi
        .updateResource(resource.id, patch)
        .then(async (saved) => {
          this.say(() => t("resources.saved", { name: saved.name }));
          if (this.editing?.resource === resource) this.editing = null;
          clear(this.editor);
          await this.show();
        })
        .catch((problem: unknown) => {
          const detail = problem instanceof ApiError ? problem.detail : null;
          showError(() => detail ?? t("resources.saveFailed"));
        });
    });
    this.editor.replaceChildren(form);
    if (!draft) days[0].focus();
  }
}
