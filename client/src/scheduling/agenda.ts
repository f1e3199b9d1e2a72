/** The staff agenda: one brand's appointments of one local day, per resource. */

import { ApiError } from "../console/api";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { staffApi, type Agenda } from "./api";
import { addDays, agendaRows, clockTime, todayIn } from "./model";
import { intlLocale, labelOf, t, type ConsoleKey } from "../console/strings";

export class AgendaView {
  readonly element: HTMLElement;
  private readonly dayInput = el("input", { type: "date", "data-testid": "agenda-day" });
  private readonly title = el("h2", { "data-testid": "agenda-title" });
  private readonly body = el("div", { class: "agenda-body" });
  private readonly status = el("p", { role: "status", class: "status" });
  private day = "";
  private timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  private readonly loads = new Latest();
  private readonly buttons: [HTMLButtonElement, ConsoleKey][] = [];
  /** The day shown, to draw again in another language. */
  private shown: Agenda | null = null;
  /** What the status line says, as a function of the language ("" when all is well). */
  private statusText: () => string = () => "";

  constructor(private brand: () => string) {
    const button = (label: ConsoleKey, testid: string, action: () => void) => {
      const b = el("button", { type: "button", "data-testid": testid });
      b.addEventListener("click", action);
      this.buttons.push([b, label]);
      return b;
    };
    this.dayInput.addEventListener("change", () => {
      if (this.dayInput.value) void this.show(this.dayInput.value);
    });
    this.element = el(
      "section",
      { class: "agenda" },
      el(
        "div",
        { class: "toolbar" },
        button("agenda.previous", "agenda-prev", () => void this.show(addDays(this.day, -1))),
        this.dayInput,
        button("agenda.next", "agenda-next", () => void this.show(addDays(this.day, 1))),
        button("agenda.today", "agenda-today", () => void this.show(todayIn(this.timezone))),
      ),
      this.title,
      this.body,
      this.status,
    );
    this.relabel();
  }

  /** Shows the view again in the console's current language. */
  relabel(): void {
    this.element.setAttribute("aria-label", t("agenda.label"));
    this.dayInput.setAttribute("aria-label", t("agenda.day"));
    for (const [button, label] of this.buttons) button.textContent = t(label);
    this.status.textContent = this.statusText();
    if (this.shown) this.render(this.shown);
  }

  private say(text: () => string): void {
    this.statusText = text;
    this.status.textContent = text();
  }

  /** Shows a day (default: today in the brand's zone, known after the first answer). */
  async show(day?: string): Promise<void> {
    const first = !this.day && day === undefined;
    this.day = day ?? (this.day || todayIn(this.timezone));
    this.dayInput.value = this.day;
    const stillNewest = this.loads.begin();
    try {
      const agenda = await staffApi.agenda(this.brand(), this.day);
      if (!stillNewest()) return; // another day or brand was asked for meanwhile
      this.timezone = agenda.timezone;
      const today = todayIn(agenda.timezone);
      if (first && today !== this.day) return this.show(today);
      this.say(() => "");
      this.render(agenda);
    } catch (error) {
      if (!stillNewest()) return;
      const detail = error instanceof ApiError ? error.detail : null;
      this.say(() => detail ?? t("agenda.failed"));
    }
  }

  private render(agenda: Agenda): void {
    this.shown = agenda;
    const date = new Date(`${agenda.day}T12:00:00Z`).toLocaleDateString(intlLocale(), { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    this.title.textContent = `${date} (${agenda.timezone})`;
    clear(this.body);
    const rows = agendaRows(agenda);
    if (!rows.length) {
      this.body.append(el("p", { class: "empty", "data-testid": "agenda-empty" }, t("agenda.empty")));
      return;
    }
    const table = el("table", { class: "agenda-table", "data-testid": "agenda" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("agenda.resource")), el("th", { scope: "col" }, t("agenda.appointments")))));
    const tbody = el("tbody");
    for (const row of rows) {
      const list = el("ul");
      for (const a of row.appointments) {
        const time = `${clockTime(a.start, agenda.timezone)}–${clockTime(a.end, agenda.timezone)}`;
        list.append(
          el(
            "li",
            { class: `status-${a.status}`, "data-testid": "agenda-item", "data-id": a.id, "data-status": a.status },
            el("strong", {}, time),
            ` · ${a.type_name} · ${a.customer_name || a.customer_email || t("agenda.guest")} · `,
            el("span", { class: "status-label" }, labelOf("appointment", a.status)),
          ),
        );
      }
      tbody.append(el("tr", { "data-resource": row.resource }, el("th", { scope: "row" }, row.resource), el("td", {}, list)));
    }
    table.append(tbody);
    this.body.append(table);
  }
}
