/**
 * "My appointments" in the storefront: a panel opened from the toolbar in the 3D view,
 * and a section of the accessible 2D view. Both list the visitor's upcoming
 * appointments (their guest session's) with cancel and reschedule; a change made in one
 * refreshes the other. Plain HTML with native controls, so keyboard and screen readers
 * work the same in both modes.
 */

import "./scheduling.css";
import { ApiError } from "../api/http";
import { locale, onLocaleChange } from "../i18n";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { customerApi, type Appointment, type Slot } from "./api";
import { canReschedule, localTime, upcoming } from "./model";
import { st, type SchedulingKey } from "./strings";

const s = (key: SchedulingKey, params?: Record<string, string>) => st(locale(), key, params);

function reasonOf(error: unknown): string {
  return error instanceof ApiError ? error.detail : String(error);
}

/** The list with its controls; `changed` tells the other list to refresh. */
export class AppointmentList {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  readonly status: HTMLElement;
  private appointments: Appointment[] = [];
  private loaded = false;
  private failed = false;
  private readonly loads = new Latest();

  constructor(
    private readonly brand: string,
    private readonly testid: string,
    private readonly changed: () => void,
  ) {
    this.list = el("ul", { class: "appointments-list", "data-testid": `${testid}-list` });
    this.status = el("p", { class: "appointments-status", role: "status", "aria-live": "polite", tabindex: -1, "data-testid": `${testid}-status` });
    this.element = el("div", { class: "appointments" }, this.list, this.status);
  }

  async refresh(): Promise<void> {
    // Both lists refresh each other after a change: an answer from before it must not win.
    const stillNewest = this.loads.begin();
    try {
      const mine = await customerApi.mine();
      if (!stillNewest()) return;
      this.appointments = upcoming(mine);
      this.failed = false;
    } catch {
      if (!stillNewest()) return;
      this.failed = true;
    }
    this.loaded = true;
    this.render();
  }

  render(): void {
    clear(this.list);
    if (!this.loaded) {
      this.list.append(el("li", { class: "empty" }, s("mine.loading")));
      return;
    }
    if (this.failed) {
      this.list.append(el("li", { class: "empty" }, s("mine.failed")));
      return;
    }
    if (!this.appointments.length) {
      this.list.append(el("li", { class: "empty" }, s("mine.none")));
      return;
    }
    for (const appointment of this.appointments) this.list.append(this.item(appointment));
  }

  private when(a: Appointment, iso = a.start): string {
    return localTime(iso, a.timezone, locale());
  }

  private item(a: Appointment): HTMLElement {
    const title = el("h3", { id: `${this.testid}-${a.id}` }, `${a.type_name} · ${this.when(a)}`);
    const details = el("p", {}, [a.resources.length ? s("mine.with", { names: a.resources.map((r) => r.name).join(", ") }) : "", a.location].filter(Boolean).join(" · "));
    const held = a.status === "held" && a.hold_expires_at ? el("p", { class: "held" }, s("mine.held", { time: this.when(a, a.hold_expires_at) })) : null;
    const actions = el("div", { class: "actions" });
    const item = el("li", { "data-id": a.id, "data-testid": "appointment", "aria-labelledby": title.id }, title, details, held, actions);
    this.showActions(a, actions);
    return item;
  }

  private showActions(a: Appointment, actions: HTMLElement): void {
    const cancel = el("button", { type: "button", "data-testid": "appointment-cancel" }, s("mine.cancel"));
    cancel.addEventListener("click", () => this.askCancel(a, actions));
    const buttons: HTMLElement[] = [cancel];
    if (canReschedule(a)) {
      const move = el("button", { type: "button", "data-testid": "appointment-reschedule" }, s("mine.reschedule"));
      move.addEventListener("click", () => void this.chooseSlot(a, actions));
      buttons.push(move);
    }
    actions.replaceChildren(...buttons);
  }

  private askCancel(a: Appointment, actions: HTMLElement): void {
    const yes = el("button", { type: "button", class: "danger", "data-testid": "appointment-cancel-confirm" }, s("mine.cancelYes"));
    const keep = el("button", { type: "button", "data-testid": "appointment-keep" }, s("mine.keep"));
    const question = el("p", { role: "alert" }, s("mine.cancelAsk"));
    yes.addEventListener("click", () => {
      yes.disabled = true;
      void this.change(() => customerApi.cancel(a.id), (done) => s("mine.cancelled", { type: done.type_name, when: this.when(done) }));
    });
    keep.addEventListener("click", () => {
      this.showActions(a, actions);
      actions.querySelector<HTMLButtonElement>("button")?.focus();
    });
    actions.replaceChildren(question, yes, keep);
    keep.focus();
  }

  private async chooseSlot(a: Appointment, actions: HTMLElement): Promise<void> {
    let slots: Slot[];
    try {
      slots = (await customerApi.slots(this.brand, a.type_slug)).slots.filter((slot) => slot.start !== a.start);
    } catch (error) {
      this.status.textContent = s("mine.changeFailed", { reason: reasonOf(error) });
      return;
    }
    const back = el("button", { type: "button", "data-testid": "appointment-back" }, s("mine.back"));
    back.addEventListener("click", () => {
      this.showActions(a, actions);
      actions.querySelector<HTMLButtonElement>("button")?.focus();
    });
    if (!slots.length) {
      actions.replaceChildren(el("p", {}, s("mine.noSlots")), back);
      back.focus();
      return;
    }
    const name = `slot-${a.id}`;
    const fieldset = el("fieldset", { "data-testid": "appointment-slots" }, el("legend", {}, s("mine.choose")));
    slots.forEach((slot, index) => {
      const id = `${name}-${index}`;
      const radio = el("input", { type: "radio", name, id, value: slot.start });
      fieldset.append(el("div", { class: "slot" }, radio, el("label", { for: id }, this.when(a, slot.start))));
    });
    const move = el("button", { type: "submit", "data-testid": "appointment-move" }, s("mine.move"));
    const form = el("form", { class: "reschedule" }, fieldset, move, back);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
      if (!chosen) {
        this.status.textContent = s("mine.pickFirst");
        return;
      }
      move.disabled = true;
      void this.change(() => customerApi.reschedule(a.id, chosen.value), (done) => s("mine.moved", { type: done.type_name, when: this.when(done) }));
    });
    actions.replaceChildren(form);
    fieldset.querySelector<HTMLInputElement>("input")?.focus();
  }

  private async change(action: () => Promise<Appointment>, message: (done: Appointment) => string): Promise<void> {
    try {
      const done = await action();
      await this.refresh();
      this.status.textContent = message(done);
      this.changed();
    } catch (error) {
      await this.refresh();
      this.status.textContent = s("mine.changeFailed", { reason: reasonOf(error) });
    }
    // The buttons just used are gone with the re-render: keep the keyboard in the list.
    this.status.focus();
  }
}

export interface AppointmentsMount {
  brand: string;
  /** The storefront's toolbar: gets the "My appointments" button of the 3D view. */
  toolbar: HTMLElement;
  /** The accessible 2D view: gets a "My appointments" section. */
  plain: HTMLElement;
}

export interface AppointmentsHandle {
  refresh(): Promise<void>;
}

declare global {
  interface Window {
    __appointments?: AppointmentsHandle;
  }
}

/** Mounts the panel and the 2D section; call once the visitor's session exists. */
export function mountAppointments(options: AppointmentsMount): AppointmentsHandle {
  // Each list refreshes the other after a change (called later, once both exist).
  const panelList: AppointmentList = new AppointmentList(options.brand, "appointments-panel", () => void plainList.refresh());
  const plainList: AppointmentList = new AppointmentList(options.brand, "appointments-2d", () => void panelList.refresh());

  const open = el("button", { type: "button", "aria-expanded": "false", "aria-controls": "appointments-panel", "data-testid": "appointments-open" });
  const close = el("button", { type: "button", class: "close", "data-testid": "appointments-close" });
  const panelTitle = el("h2", { id: "appointments-panel-title", tabindex: -1 });
  const panel = el("section", { id: "appointments-panel", class: "appointments-panel", role: "dialog", "aria-labelledby": panelTitle.id, hidden: true, "data-testid": "appointments-panel" }, el("div", { class: "head" }, panelTitle, close), panelList.element);
  const hide = () => {
    panel.hidden = true;
    open.setAttribute("aria-expanded", "false");
    open.focus();
  };
  open.addEventListener("click", () => {
    if (!panel.hidden) return hide();
    panel.hidden = false;
    open.setAttribute("aria-expanded", "true");
    panelTitle.focus();
    void panelList.refresh();
  });
  close.addEventListener("click", hide);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      hide();
    }
  });
  options.toolbar.append(open);
  document.body.append(panel);

  const plainTitle = el("h2", { id: "appointments-2d-title" });
  const refresh = el("button", { type: "button", "data-testid": "appointments-2d-refresh" });
  refresh.addEventListener("click", () => void plainList.refresh());
  options.plain.append(el("section", { class: "appointments-section", "aria-labelledby": plainTitle.id, "data-testid": "appointments-2d" }, plainTitle, refresh, plainList.element));

  const relabel = () => {
    open.textContent = s("mine.open");
    close.textContent = s("mine.close");
    panelTitle.textContent = s("mine.title");
    plainTitle.textContent = s("mine.title");
    refresh.textContent = s("mine.refresh");
    panelList.render();
    plainList.render();
  };
  relabel();
  onLocaleChange(relabel);
  const handle: AppointmentsHandle = {
    refresh: async () => {
      await Promise.all([panelList.refresh(), plainList.refresh()]);
    },
  };
  window.__appointments = handle;
  void plainList.refresh();
  return handle;
}
