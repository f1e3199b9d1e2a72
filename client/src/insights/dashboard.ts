/** The supervisor dashboard in the agent console: figures of a period for the caller's
 * brands, filtered by brand, channel, queue and period, with charts (uPlot) and a CSV
 * export. Live: the console socket's `dashboard` notice (sent within a second of an event
 * that moves a figure) makes it fetch the figures again. */

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./dashboard.css";
import { el, clear } from "../ui/dom";
import { staffApi } from "../scheduling/api";
import { intlLocale, labelOf } from "../console/strings";
import { d, type DashboardKey } from "./strings";

export interface Figures {
  visitors_now: number;
  conversations: number;
  by_state_channel: Record<string, Record<string, number>>;
  bot_started: number;
  bot_finished: number;
  bot_contained: number;
  containment_rate: number | null;
  handoffs: number;
  handoff_rate: number | null;
  handoff_reasons: Record<string, number>;
  queue_length: number;
  oldest_wait_s: number | null;
  mean_wait_s: number | null;
  mean_first_response_s: number | null;
  mean_handle_s: number | null;
  csat_count: number;
  csat_mean: number | null;
  csat_satisfied: number | null;
  bookings: number;
}

export interface Filters {
  brand: string;
  channel: string;
  queue: string;
  period: string;
}

const SUPERVISING = ["supervisor", "admin", "superadmin"];
const TILES: { key: keyof Figures & DashboardKey; kind: "count" | "rate" | "seconds" | "score" }[] = [
  { key: "visitors_now", kind: "count" },
  { key: "conversations", kind: "count" },
  { key: "containment_rate", kind: "rate" },
  { key: "handoff_rate", kind: "rate" },
  { key: "queue_length", kind: "count" },
  { key: "oldest_wait_s", kind: "seconds" },
  { key: "mean_wait_s", kind: "seconds" },
  { key: "mean_first_response_s", kind: "seconds" },
  { key: "mean_handle_s", kind: "seconds" },
  { key: "csat_mean", kind: "score" },
  { key: "csat_satisfied", kind: "rate" },
  { key: "bookings", kind: "count" },
];

/** A figure as shown on its tile: "42 %", "1 min 5 s", "4.5 / 5 (12)", or a dash. */
export function formatFigure(kind: "count" | "rate" | "seconds" | "score", value: number | null, count = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return d("none");
  const number = (n: number, digits = 0) => n.toLocaleString(intlLocale(), { maximumFractionDigits: digits });
  switch (kind) {
    case "rate":
      return `${number(value * 100, 1)} %`;
    case "seconds": {
      const s = Math.round(value);
      return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
    }
    case "score":
      return `${number(value, 2)} / 5 (${count})`;
    default:
      return number(value);
  }
}

/** The query string of the figures (and of the CSV) for these filters. */
export function query(filters: Filters): string {
  const params = new URLSearchParams({ period: filters.period });
  if (filters.brand) params.set("brand", filters.brand);
  if (filters.channel) params.set("channel", filters.channel);
  if (filters.queue.trim()) params.set("queue", filters.queue.trim());
  return params.toString();
}

/** States in a fixed order with their totals over channels, for the bar chart. */
export function stateTotals(byStateChannel: Record<string, Record<string, number>>): [string[], number[]] {
  const order = ["bot", "queued", "assigned", "waiting_on_customer", "resolved"];
  const states = [...order, ...Object.keys(byStateChannel).filter((s) => !order.includes(s))];
  return [states, states.map((s) => Object.values(byStateChannel[s] ?? {}).reduce((a, b) => a + b, 0))];
}

async function fetchFigures(filters: Filters): Promise<Figures> {
  const resp = await fetch(`/api/insights/dashboard?${query(filters)}`, { credentials: "same-origin" });
  if (!resp.ok) throw new Error(`dashboard ${resp.status}`);
  return ((await resp.json()) as { figures: Figures }).figures;
}

export interface DashboardTab {
  relabel(): void;
}

/** Adds the dashboard tab for supervisors and admins; null for anyone else. */
export async function mountDashboard(root: HTMLElement): Promise<DashboardTab | null> {
  const me = await staffApi.me();
  if (!me.roles.some((r) => SUPERVISING.includes(r))) return null;
  const brands = me.brand_slugs.length ? me.brand_slugs : (await staffApi.brands()).map((b) => b.slug);
  const option = (value: string, label: string) => el("option", { value }, label);
  const brand = el("select", { "data-testid": "dash-brand" }, option("", ""), ...brands.map((b) => option(b, b)));
  const channel = el("select", { "data-testid": "dash-channel" }, option("", ""), ...["world", "widget", "email", "webhook"].map((c) => option(c, labelOf("channel", c))));
  const queue = el("input", { type: "text", maxlength: 64, "data-testid": "dash-queue" });
  const period = el("select", { "data-testid": "dash-period" }, ...["today", "24h", "7d", "30d"].map((p) => option(p, p)));
  const csv = el("a", { "data-testid": "dash-csv", download: "dashboard.csv" });
  const labels = {
    title: el("h2", {}),
    brand: el("span"),
    channel: el("span"),
    queue: el("span"),
    period: el("span"),
    states: el("h3", {}),
    live: el("h3", {}),
    reasons: el("h3", {}),
  };
  const updated = el("p", { class: "dash-updated", "data-testid": "dash-updated" });
  const tiles = el("div", { class: "dash-tiles" });
  const statesChart = el("div", { class: "dash-chart", "data-testid": "dash-chart-states" });
  const liveChart = el("div", { class: "dash-chart", "data-testid": "dash-chart-live" });
  const reasons = el("ul", { class: "dash-reasons", "data-testid": "dash-reasons" });
  const section = el(
    "section",
    { class: "dashboard", hidden: true, "data-testid": "dashboard" },
    labels.title,
    el("div", { class: "dash-filters" },
      el("label", {}, labels.brand, " ", brand),
      el("label", {}, labels.channel, " ", channel),
      el("label", {}, labels.queue, " ", queue),
      el("label", {}, labels.period, " ", period),
      csv),
    updated,
    tiles,
    el("div", { class: "dash-charts" }, el("figure", {}, labels.states, statesChart), el("figure", {}, labels.live, liveChart)),
    labels.reasons,
    reasons,
  );
  root.append(section);

  let figures: Figures | null = null;
  let bars: uPlot | null = null;
  let live: uPlot | null = null;
  const series: [number[], number[], number[], number[]] = [[], [], [], []];
  const filters = (): Filters => ({ brand: brand.value, channel: channel.value, queue: queue.value, period: period.value });

  const drawTiles = () => {
    clear(tiles);
    if (!figures) return;
    for (const tile of TILES) {
      const value = figures[tile.key] as number | null;
      tiles.append(
        el("div", { class: "dash-tile", "data-testid": `dash-${tile.key}`, "data-value": value === null ? "" : String(value) },
          el("span", { class: "dash-label" }, d(tile.key)),
          el("strong", {}, formatFigure(tile.kind, value, figures.csat_count))),
      );
    }
    clear(reasons);
    const entries = Object.entries(figures.handoff_reasons);
    if (!entries.length) reasons.append(el("li", { class: "empty" }, d("reasons.none")));
    for (const [why, n] of entries) reasons.append(el("li", { "data-reason": why }, `${why.replaceAll("_", " ")}: ${n}`));
  };

  const drawCharts = () => {
    if (!figures || section.hidden) return;
    const width = Math.max(280, Math.floor((section.clientWidth || 800) / 2) - 32);
    const [states, totals] = stateTotals(figures.by_state_channel);
    const xs = states.map((_, i) => i);
    bars?.destroy();
    bars = new uPlot(
      {
        width,
        height: 220,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, states.length - 0.5] } },
        axes: [{ values: (_u, ticks) => ticks.map((i) => (Number.isInteger(i) && states[i] ? labelOf("state", states[i]) : "")) }, {}],
        series: [{}, { label: d("conversations"), fill: "#0a6cff55", stroke: "#0a6cff", paths: uPlot.paths.bars!({ size: [0.6, 60] }), points: { show: false } }],
      },
      [xs, totals],
      statesChart,
    );
    const data: uPlot.AlignedData = [series[0], series[1], series[2], series[3]];
    if (!live) {
      live = new uPlot(
        {
          width,
          height: 220,
          series: [{}, { label: d("visitors_now"), stroke: "#2a9d8f" }, { label: d("queue_length"), stroke: "#e76f51" }, { label: d("conversations"), stroke: "#264653" }],
        },
        data,
        liveChart,
      );
    } else {
      live.setData(data);
    }
  };

  const load = async () => {
    const f = filters();
    csv.setAttribute("href", `/api/insights/dashboard.csv?${query(f)}`);
    figures = await fetchFigures(f);
    const now = Date.now() / 1000;
    series[0].push(now);
    series[1].push(figures.visitors_now);
    series[2].push(figures.queue_length);
    series[3].push(figures.conversations);
    if (series[0].length > 240) for (const s of series) s.shift();
    section.dataset.loaded = String(Number(section.dataset.loaded ?? "0") + 1);
    // Which filters the figures on screen answer: a load started before a filter changed
    // is followed by another one, and readers (and tests) can tell the two apart.
    section.dataset.shown = query(f);
    updated.textContent = d("updated", { time: new Date().toLocaleTimeString(intlLocale()) });
    drawTiles();
    drawCharts();
  };
  let loading: Promise<void> | null = null;
  let again = false;
  const refresh = () => {
    if (section.hidden) return;
    if (loading) {
      again = true;
      return;
    }
    loading = load()
      .catch(() => undefined)
      .finally(() => {
        loading = null;
        if (again) {
          again = false;
          refresh();
        }
      });
  };
  for (const control of [brand, channel, period]) control.addEventListener("change", () => {
    for (const s of series) s.length = 0;
    refresh();
  });
  queue.addEventListener("change", refresh);
  window.addEventListener("vitrina:console-frame", (event) => {
    const frame = (event as CustomEvent<{ type: string; brand?: string }>).detail;
    if (frame.type === "dashboard" && (!brand.value || frame.brand === brand.value)) refresh();
  });
  window.setInterval(refresh, 15000);

  // The tab, beside the console's other views.
  const button = el("button", { type: "button", role: "tab", "aria-selected": "false", "data-testid": "tab-dashboard" });
  const tablist = root.querySelector<HTMLElement>(".scheduling-tabs") ?? root.querySelector<HTMLElement>("header");
  tablist?.append(button);
  const show = (on: boolean) => {
    section.hidden = !on;
    button.setAttribute("aria-selected", String(on));
    if (on) {
      for (const other of root.querySelectorAll<HTMLElement>(".scheduling-tabs [role=tab]")) if (other !== button) other.setAttribute("aria-selected", "false");
      const layout = root.querySelector<HTMLElement>(":scope > .layout");
      if (layout) layout.hidden = true;
      const scheduling = root.querySelector<HTMLElement>(":scope > .scheduling");
      if (scheduling) scheduling.hidden = true;
      refresh();
    }
  };
  button.addEventListener("click", () => show(true));
  for (const other of root.querySelectorAll<HTMLElement>(".scheduling-tabs [role=tab]")) {
    if (other !== button) other.addEventListener("click", () => show(false));
  }

  const relabel = () => {
    button.textContent = d("tab");
    labels.title.textContent = d("title");
    labels.brand.textContent = d("filter.brand");
    labels.channel.textContent = d("filter.channel");
    labels.queue.textContent = d("filter.queue");
    labels.period.textContent = d("filter.period");
    labels.states.textContent = d("chart.states");
    labels.live.textContent = d("chart.live");
    labels.reasons.textContent = d("reasons");
    csv.textContent = d("csv");
    brand.options[0].textContent = d("filter.all");
    channel.options[0].textContent = d("filter.all");
    for (const o of Array.from(period.options)) o.textContent = d(`period.${o.value}` as DashboardKey);
    drawTiles();
    live?.destroy();
    live = null;
    drawCharts();
  };
  relabel();
  return { relabel };
}
