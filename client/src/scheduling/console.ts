/** Scheduling in the agent console: "Agenda" and "Resources" tabs next to the
 * conversations, on the console's own staff session. */

import "./scheduling.css";
import { el } from "../ui/dom";
import { staffApi } from "./api";
import { AgendaView } from "./agenda";
import { ResourcesView } from "./resources";
import { t, type ConsoleKey } from "../console/strings";
import { TrainingView } from "../training/console";
import "../training/training.css";

type Tab = "conversations" | "agenda" | "resources" | "training";

/** The mounted tabs; `relabel` shows them again in the console's current language. */
export interface SchedulingTabs {
  relabel(): void;
}

/** Adds the tabs to the console's header; call after the console has rendered. */
export async function mountScheduling(root: HTMLElement): Promise<SchedulingTabs | null> {
  const header = root.querySelector<HTMLElement>("header");
  if (!header || root.querySelector(".scheduling-tabs")) return null;
  const me = await staffApi.me();
  const brands = me.brand_slugs.length ? me.brand_slugs : (await staffApi.brands()).map((b) => b.slug);
  const brandSelect = el("select", { "data-testid": "scheduling-brand" }, ...brands.map((slug) => el("option", { value: slug }, slug)));
  const brandLabel = el("span");
  const brand = () => brandSelect.value;
  const agenda = new AgendaView(brand);
  const resources = new ResourcesView(brand);
  const training = new TrainingView(brand);
  const section = el("section", { class: "scheduling", hidden: true, "data-testid": "scheduling" }, el("label", {}, brandLabel, " ", brandSelect), agenda.element, resources.element, training.element);
  root.append(section);

  const tabs = el("div", { class: "scheduling-tabs", role: "tablist" });
  const buttons = new Map<Tab, HTMLButtonElement>();
  const labels: Record<Tab, ConsoleKey> = {
    conversations: "tabs.conversations",
    agenda: "tabs.agenda",
    resources: "tabs.resources",
    training: "tabs.training",
  };
  const select = (tab: Tab) => {
    for (const [name, button] of buttons) button.setAttribute("aria-selected", String(name === tab));
    // The console's own layout stays in the page (its live socket keeps running).
    const layout = root.querySelector<HTMLElement>(":scope > .layout");
    if (layout) layout.hidden = tab !== "conversations";
    section.hidden = tab === "conversations";
    agenda.element.hidden = tab !== "agenda";
    resources.element.hidden = tab !== "resources";
    training.element.hidden = tab !== "training";
    if (tab === "agenda") void agenda.show();
    if (tab === "resources") void resources.show();
    if (tab === "training") void training.show();
  };
  for (const tab of Object.keys(labels) as Tab[]) {
    const button = el("button", { type: "button", role: "tab", "aria-selected": String(tab === "conversations"), "data-testid": `tab-${tab}` });
    button.addEventListener("click", () => select(tab));
    buttons.set(tab, button);
    tabs.append(button);
  }
  brandSelect.addEventListener("change", () => {
    if (!agenda.element.hidden) void agenda.show();
    if (!resources.element.hidden) void resources.show();
    if (!training.element.hidden) void training.show();
  });
  const relabel = () => {
    tabs.setAttribute("aria-label", t("tabs.label"));
    for (const [tab, button] of buttons) button.textContent = t(labels[tab]);
    brandLabel.textContent = t("scheduling.brand");
    brandSelect.setAttribute("aria-label", t("scheduling.brand"));
    agenda.relabel();
    resources.relabel();
    training.relabel();
  };
  relabel();
  header.append(tabs);
  return { relabel };
}
