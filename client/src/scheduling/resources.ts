/** Staff manage a brand's resources: weekly hours, dated exceptions, buffers, active. */

import { ApiError } from "../console/api";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { staffApi, type Resource, type ResourceUpdate } from "./api";
import { WEEKDAYS, formatExceptions, formatSpans, parseExceptions, parseSpans } from "./model";

export class ResourcesView {
  readonly element: HTMLElement;
  private readonly list = el("div", { class: "resources" });
  private readonly editor = el("div", { class: "resource-editor" });
  private readonly status = el("p", { role: "status", class: "status", "data-testid": "resources-status" });
  private resources: Resource[] = [];
  private readonly loads = new Latest();

  constructor(private brand: () => string) {
    this.element = el("section", { class: "resources-view", "aria-labelledby": "resources-heading" }, el("h2", { id: "resources-heading" }, "Resources"), this.list, this.editor, this.status);
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
      this.status.textContent = error instanceof ApiError ? error.detail : "The resources could not be loaded.";
    }
  }

  private renderList(): void {
    clear(this.list);
    const tbody = el("tbody");
    for (const r of this.resources) {
      const edit = el("button", { type: "button", "data-testid": "resource-edit", "aria-label": `Edit ${r.name}` }, "Edit");
      edit.addEventListener("click", () => this.edit(r));
      const hours = WEEKDAYS.filter((d) => r.weekly_hours[d]?.length).map((d) => `${d} ${formatSpans(r.weekly_hours[d] ?? [])}`).join("; ");
      tbody.append(
        el(
          "tr",
          { "data-resource": r.name },
          el("th", { scope: "row" }, r.name),
          el("td", {}, r.kind.replace("_", " ")),
          el("td", {}, r.skills.join(", ")),
          el("td", {}, `${hours || "closed"} (${r.timezone})`),
          el("td", {}, `${r.buffer_before_min} / ${r.buffer_after_min} min`),
          el("td", {}, r.active ? "yes" : "no"),
          el("td", {}, edit),
        ),
      );
    }
    const head = ["Name", "Kind", "Skills", "Weekly hours", "Buffers before / after", "Active", ""];
    this.list.append(el("table", { class: "agenda-table", "data-testid": "resources" }, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))), tbody));
  }

  private edit(resource: Resource): void {
    const days = WEEKDAYS.map((day) => el("input", { type: "text", id: `hours-${day}`, name: day, value: formatSpans(resource.weekly_hours[day] ?? []), placeholder: "closed", "data-testid": `hours-${day}` }));
    const exceptions = el("textarea", { id: "exceptions", "data-testid": "exceptions", placeholder: "2026-12-24..2026-12-26 | closed | Christmas" });
    exceptions.value = formatExceptions(resource.exceptions);
    const before = el("input", { type: "number", id: "buffer-before", min: 0, max: 240, value: resource.buffer_before_min, "data-testid": "buffer-before" });
    const after = el("input", { type: "number", id: "buffer-after", min: 0, max: 240, value: resource.buffer_after_min, "data-testid": "buffer-after" });
    const active = el("input", { type: "checkbox", id: "resource-active", checked: resource.active });
    const error = el("p", { class: "error", role: "alert", "data-testid": "resource-error" });
    const cancel = el("button", { type: "button" }, "Close");
    cancel.addEventListener("click", () => clear(this.editor));
    const form = el(
      "form",
      { class: "resource-form", "aria-label": `Edit ${resource.name}`, "data-testid": "resource-form" },
      el("h3", {}, `${resource.name}: opening hours (${resource.timezone})`),
      el("div", { class: "days" }, ...WEEKDAYS.flatMap((day, i) => [el("label", { for: `hours-${day}` }, day), days[i]])),
      el("label", { for: "exceptions" }, "Exceptions, one per line: dates | hours or closed | reason"),
      exceptions,
      el("label", { for: "buffer-before" }, "Buffer before (minutes) ", before),
      el("label", { for: "buffer-after" }, "Buffer after (minutes) ", after),
      el("label", { for: "resource-active" }, active, " Bookable"),
      el("div", { class: "actions" }, el("button", { type: "submit", "data-testid": "resource-save" }, "Save"), cancel),
      error,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      let patch: ResourceUpdate;
      try {
        patch = {
          weekly_hours: Object.fromEntries(WEEKDAYS.map((day, i) => [day, parseSpans(days[i].value)])),
          exceptions: parseExceptions(exceptions.value),
          buffer_before_min: Number(before.value),
          buffer_after_min: Number(after.value),
          active: active.checked,
        };
      } catch (problem) {
        error.textContent = problem instanceof Error ? problem.message : String(problem);
        return;
      }
      void staffApi
        .updateResource(resource.id, patch)
        .then(async (saved) => {
          this.status.textContent = `Saved ${saved.name}.`;
          clear(this.editor);
          await this.show();
        })
        .catch((problem: unknown) => {
          error.textContent = problem instanceof ApiError ? problem.detail : "Saving failed.";
        });
    });
    this.editor.replaceChildren(form);
    days[0].focus();
  }
}
