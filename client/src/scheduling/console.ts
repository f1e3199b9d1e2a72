/** Scheduling in the agent console: "Agenda" and "Resources" tabs next to the
 * conversations, on the console's own staff session. */

import "./scheduling.css";
import { el } from "../ui/dom";
import { staffApi } from "./api";
import { AgendaView } from "./agenda";
import { ResourcesView } from "./resources";

type Tab = "conversations" | "agenda" | "resources";

/** Adds the tabs to the console's header; call after the console has rendered. */
export async function mountScheduling(root: HTMLElement): Promise<void> {
  const header = root.querySelector<HTMLElement>("header");
  if (!header || root.querySelector(".scheduling-tabs")) return;
  const me = await staffApi.me();
  const brands = me.brand_slugs.length ? me.brand_slugs : (await staffApi.brands()).map((b) => b.slug);
  const brandSelect = el("select", { "aria-label": "Brand", "data-testid": "scheduling-brand" }, ...brands.map((slug) => el("option", { value: slug }, slug)));
  const brand = () => brandSelect.value;
  const agenda = new AgendaView(brand);
  const resources = new ResourcesView(brand);
  const section = el("section", { class: "scheduling", hidden: true, "data-testid": "scheduling" }, el("label", {}, "Brand ", brandSelect), agenda.element, resources.element);
  root.append(section);

  const tabs = el("div", { class: "scheduling-tabs", role: "tablist", "aria-label": "Views" });
  const buttons = new Map<Tab, HTMLButtonElement>();
  const labels: Record<Tab, string> = { conversations: "Conversations", agenda: "Agenda", resources: "Resources" };
  const select = (tab: Tab) => {
    for (const [name, button] of buttons) button.setAttribute("aria-selected", String(name === tab));
    // The console's own layout stays in the page (its live socket keeps running).
    const layout = root.querySelector<HTMLElement>(":scope > .layout");
    if (layout) layout.hidden = tab !== "conversations";
    section.hidden = tab === "conversations";
    agenda.element.hidden = tab !== "agenda";
    resources.element.hidden = tab !== "resources";
    if (tab === "agenda") void agenda.show();
    if (tab === "resources") void resources.show();
  };
  for (const tab of Object.keys(labels) as Tab[]) {
    const button = el("button", { type: "button", role: "tab", "aria-selected": String(tab === "conversations"), "data-testid": `tab-${tab}` }, labels[tab]);
    button.addEventListener("click", () => select(tab));
    buttons.set(tab, button);
    tabs.append(button);
  }
  brandSelect.addEventListener("change", () => {
    if (!agenda.element.hidden) void agenda.show();
    if (!resources.element.hidden) void resources.show();
  });
  header.append(tabs);
}
