/** The console page: presence, queue, my conversations, the open conversation and its
 * customer panel. Live frames from /ws/console drive every change; lists are fetched
 * again only when a frame says a conversation changed state. */

import { ApiError, api, type Advisor, type Canned, type Conversation, type Message } from "./api";
import { applyFrame, cannedMatches, initialState, waited, type ConsoleFrame, type ConsoleState } from "./state";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { drawCustomer360, loadCustomer360, type CustomerData } from "./customer360";
import { languagePicker } from "./language";
import { labelOf, t, timeOfDay, type Locale } from "./strings";

const DISPOSITIONS = ["solved", "not_solved", "follow_up", "spam", "duplicate"];
const PRESENCE = ["online", "away", "offline"] as const;

export class ConsoleApp {
  private state: ConsoleState = initialState("");
  private presence: Advisor["status"] = "offline";
  private canned: Canned[] = [];
  private socket: WebSocket | null = null;
  private readonly listLoads = new Latest();
  private readonly openings = new Latest();
  private readonly parts = {
    title: el("h1"),
    presence: el("select"),
    presenceLabel: el("span"),
    queueTitle: el("h2"),
    queue: el("ul", { class: "list" }),
    mineTitle: el("h2"),
    mine: el("ul", { class: "list" }),
    withBotTitle: el("h2"),
    withBot: el("ul", { class: "list" }),
    main: el("section", { class: "conversation" }),
    side: el("aside", { class: "customer" }),
    status: el("p", { class: "status", role: "status" }),
    live: el("span", { class: "live" }),
  };
  private readonly language: ReturnType<typeof languagePicker>;
  private liveState: "connecting" | "up" | "down" = "connecting";
  /** The open conversation's customer as last read, to draw again in another language. */
  private customer: { id: string; history: Conversation[]; data: CustomerData } | null = null;

  /** `onLocale` runs when the advisor picks another language, after it is applied. */
  constructor(
    private readonly root: HTMLElement,
    onLocale: (next: Locale) => void = () => undefined,
  ) {
    this.language = languagePicker(onLocale);
  }

  async start(): Promise<void> {
    clear(this.root);
    const me = await api.presence().catch(() => null);
    this.presence = me?.status ?? "offline";
    for (const status of PRESENCE) {
      this.parts.presence.append(el("option", { value: status, selected: status === this.presence }));
    }
    this.parts.presence.addEventListener("change", () => {
      void this.run(async () => {
        this.presence = (await api.setPresence(this.parts.presence.value as Advisor["status"])).status;
      });
    });
    this.root.append(
      el(
        "header",
        { class: "bar" },
        this.parts.title,
        this.parts.live,
        el("label", {}, this.parts.presenceLabel, " ", this.parts.presence),
        this.language.element,
      ),
      el(
        "div",
        { class: "layout" },
        el("nav", {}, this.parts.queueTitle, this.parts.queue, this.parts.mineTitle, this.parts.mine, this.parts.withBotTitle, this.parts.withBot),
        this.parts.main,
        this.parts.side,
      ),
      this.parts.status,
    );
    this.labelParts();
    this.connect();
  }

  /** Shows everything again in the language just chosen; drafts and the open conversation stay. */
  relabel(): void {
    this.labelParts();
    this.language.relabel();
    this.renderLists();
    if (this.view) {
      this.view.state = ""; // the actions are drawn again too
      clear(this.view.transcript);
      this.labelCompose(this.view);
    }
    this.renderConversation();
    const c = this.state.open;
    if (c && this.customer?.id === c.id) drawCustomer360(this.parts.side, c, this.customer.history, this.customer.data);
  }

  private labelParts(): void {
    const p = this.parts;
    p.title.textContent = t("console.title");
    p.presenceLabel.textContent = t("presence.label");
    p.presence.setAttribute("aria-label", t("presence.label"));
    for (const option of Array.from(p.presence.options)) option.textContent = labelOf("presence", option.value);
    p.queueTitle.textContent = t("nav.queue");
    p.queue.setAttribute("aria-label", t("nav.queue"));
    p.mineTitle.textContent = t("nav.mine");
    p.mine.setAttribute("aria-label", t("nav.mineList"));
    p.withBotTitle.textContent = t("nav.withBot");
    p.withBot.setAttribute("aria-label", t("nav.withBot"));
    p.main.setAttribute("aria-label", t("region.conversation"));
    p.side.setAttribute("aria-label", t("region.customer"));
    this.setLive(this.liveState);
  }

  private setLive(state: "connecting" | "up" | "down"): void {
    this.liveState = state;
    this.parts.live.textContent = t(state === "up" ? "live.up" : state === "down" ? "live.down" : "live.connecting");
    if (state === "connecting") delete this.parts.live.dataset.state;
    else this.parts.live.dataset.state = state;
  }

  private connect(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/console`);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.onFrame(JSON.parse(String(event.data)) as ConsoleFrame));
    socket.addEventListener("close", () => {
      this.setLive("down");
      window.setTimeout(() => this.connect(), 2000);
    });
  }

  private onFrame(frame: ConsoleFrame): void {
    // Other views of the console (the dashboard) hear every frame too.
    window.dispatchEvent(new CustomEvent("vitrina:console-frame", { detail: frame }));
    if (frame.type === "hello") {
      this.state = { ...initialState(frame.user_id), open: this.state.open };
      this.setLive("up");
      if (this.state.open) this.watch(this.state.open.id);
      void this.refresh();
      return;
    }
    const before = this.state;
    this.state = applyFrame(this.state, frame);
    if (this.state.open !== before.open) this.renderConversation();
    if (this.state.offers !== before.offers || this.state.escalated !== before.escalated) this.renderLists();
    if (this.state.stale) void this.refresh();
  }

  private async refresh(): Promise<void> {
    const stillNewest = this.listLoads.begin();
    this.state = { ...this.state, stale: false };
    const [queue, mine, withBot] = await Promise.all([api.queue(), api.mine(), api.withBot()]);
    if (!stillNewest()) return; // lists asked for after a later change are on their way
    this.state = { ...this.state, queue, mine, withBot };
    this.renderLists();
  }

  private renderLists(): void {
    const now = Date.now();
    const item = (c: Conversation, action: HTMLElement | null): HTMLElement => {
      const offered = this.state.offers.has(c.id);
      const escalated = this.state.escalated.has(c.id) || c.escalated_at !== null;
      const open = el("button", { class: "link", type: "button" }, `${c.customer_name || t("list.customer")} · ${labelOf("channel", c.channel)} · ${c.locale}`);
      open.addEventListener("click", () => void this.open(c.id));
      return el(
        "li",
        { "data-id": c.id, "data-offered": offered, "data-escalated": escalated },
        open,
        el("small", {}, ` ${c.queue ?? ""} ${waited(c.queued_at, now)}${escalated ? ` · ${t("list.escalated")}` : ""}`),
        action,
      );
    };
    clear(this.parts.queue);
    for (const c of this.state.queue) {
      const accept = el("button", { type: "button", class: "accept" }, t(this.state.offers.has(c.id) ? "queue.acceptOffered" : "queue.accept"));
      accept.addEventListener("click", () => void this.run(async () => {
        await api.accept(c.id);
        await this.open(c.id);
      }));
      this.parts.queue.append(item(c, accept));
    }
    if (!this.state.queue.length) this.parts.queue.append(el("li", { class: "empty" }, t("queue.empty")));
    clear(this.parts.mine);
    for (const c of this.state.mine) this.parts.mine.append(item(c, null));
    clear(this.parts.withBot);
    for (const c of this.state.withBot) this.parts.withBot.append(item(c, null));
  }

  /** Tell the server which conversation is open here, so its messages come live. */
  private watch(id: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "watch", conversation_id: id }));
    }
  }

  private async open(id: string): Promise<void> {
    const stillNewest = this.openings.begin();
    this.watch(id);
    const detail = await api.detail(id).catch((error: unknown) => {
      if (stillNewest()) throw error;
      return null;
    });
    if (!detail || !stillNewest()) return; // the advisor opened another conversation meanwhile
    this.state = { ...this.state, open: detail };
    if (this.customer?.id !== id) this.customer = null;
    const canned = await api.canned(detail.brand_slug, detail.locale).catch(() => []);
    if (!stillNewest()) return;
    this.canned = canned;
    this.renderConversation();
    await this.renderCustomer(stillNewest);
  }

  /** The open conversation's view; built once per conversation so a draft survives live updates. */
  private view: {
    id: string;
    header: HTMLElement;
    summary: HTMLElement;
    draft: HTMLTextAreaElement;
    send: HTMLButtonElement;
    note: HTMLButtonElement;
    transcript: HTMLOListElement;
    actions: HTMLElement;
    state: string;
  } | null = null;

  private renderConversation(): void {
    const c = this.state.open;
    if (!c) {
      this.view = null;
      clear(this.parts.main);
      this.parts.main.append(el("p", { class: "empty" }, t("conversation.none")));
      return;
    }
    if (this.view?.id !== c.id) this.build(c.id);
    const view = this.view!;
    clear(view.header);
    view.header.append(`${c.customer_name || t("list.customer")} — ${labelOf("state", c.state)}`);
    clear(view.summary);
    const summary = c.handoff_summary;
    view.summary.append(
      el("h3", {}, t("summary.title")),
      el("p", {}, summary.text || t("summary.none")),
      summary.intent ? el("p", {}, t("summary.intent", { intent: summary.intent })) : "",
      summary.verified_identity ? el("p", {}, t("summary.verified", { identity: summary.verified_identity })) : "",
      summary.tried?.length ? el("p", {}, t("summary.tried", { list: summary.tried.join(", ") })) : "",
      summary.slots && Object.keys(summary.slots).length
        ? el("p", {}, t("summary.details", { list: Object.entries(summary.slots).map(([k, v]) => `${k}=${v}`).join(", ") }))
        : "",
    );
    if (view.transcript.childElementCount !== c.messages.length) {
      clear(view.transcript);
      for (const m of c.messages) view.transcript.append(renderMessage(m));
      view.transcript.lastElementChild?.scrollIntoView({ block: "end" });
    }
    if (view.state !== c.state) {
      view.state = c.state;
      this.renderActions(view.actions, c);
    }
  }

  private build(id: string): void {
    const draft = el("textarea", { rows: 3 });
    const suggestions = el("ul", { class: "canned" });
    draft.addEventListener("input", () => {
      clear(suggestions);
      for (const item of cannedMatches(this.canned, draft.value)) {
        const use = el("button", { type: "button" }, `/${item.shortcut} — ${item.title}`);
        use.addEventListener("click", () => {
          draft.value = item.body.replace("{name}", this.state.open?.customer_name ?? "");
          clear(suggestions);
          draft.focus();
        });
        suggestions.append(el("li", {}, use));
      }
    });
    const send = this.button(t("compose.send"), async () => {
      const text = draft.value.trim();
      draft.value = "";
      if (text) await api.reply(id, text);
    });
    const note = this.button(t("compose.note"), async () => {
      const text = draft.value.trim();
      draft.value = "";
      if (text) await api.note(id, text);
    });
    this.view = {
      id,
      header: el("h2", {}),
      summary: el("section", { class: "summary" }),
      draft,
      send,
      note,
      transcript: el("ol", { class: "transcript", "aria-live": "polite" }),
      actions: el("div", { class: "actions" }),
      state: "",
    };
    this.labelCompose(this.view);
    clear(this.parts.main);
    this.parts.main.append(
      this.view.header,
      this.view.summary,
      this.view.transcript,
      el("div", { class: "compose" }, draft, suggestions, el("div", { class: "actions" }, send, note)),
      this.view.actions,
    );
  }

  private labelCompose(view: { summary: HTMLElement; draft: HTMLTextAreaElement; send: HTMLButtonElement; note: HTMLButtonElement }): void {
    view.summary.setAttribute("aria-label", t("summary.title"));
    view.draft.setAttribute("aria-label", t("compose.reply"));
    view.draft.placeholder = t("compose.placeholder");
    view.send.textContent = t("compose.send");
    view.note.textContent = t("compose.note");
  }

  private renderActions(actions: HTMLElement, c: Conversation): void {
    const chosen = actions.querySelector<HTMLSelectElement>("select.disposition")?.value ?? DISPOSITIONS[0];
    clear(actions);
    const disposition = el(
      "select",
      { class: "disposition", "aria-label": t("actions.disposition") },
      ...DISPOSITIONS.map((d) => el("option", { value: d, selected: d === chosen }, labelOf("disposition", d))),
    );
    const transferTo = el("select", { "aria-label": t("actions.transferTo") });
    void api.advisors().then((advisors) => {
      transferTo.append(el("option", { value: "queue:general" }, t("actions.queue", { name: "general" })));
      for (const a of advisors) {
        if (a.user_id !== this.state.userId && a.status === "online") {
          transferTo.append(el("option", { value: `advisor:${a.user_id}` }, `${a.display_name} (${a.active}/${a.capacity})`));
        }
      }
    });
    actions.append(
      el("label", {}, t("actions.transferLabel"), " ", transferTo),
      this.button(t("actions.transfer"), async () => {
        const [kind, value] = transferTo.value.split(":");
        await api.transfer(c.id, kind === "queue" ? { queue: value } : { advisor_id: value });
      }),
      this.button(t("actions.handBack"), () => api.handBack(c.id)),
      c.state === "bot" ? this.button(t("actions.takeOver"), () => api.takeOver(c.id)) : "",
      this.button(t("actions.join"), async () => {
        const target = await api.joinWorld(c.id);
        window.open(target.url, "_blank", "noopener");
      }),
      el("label", {}, t("actions.disposition"), " ", disposition),
      this.button(t("actions.resolve"), () => api.resolve(c.id, disposition.value)),
    );
  }

  private async renderCustomer(stillNewest: () => boolean): Promise<void> {
    const c = this.state.open;
    clear(this.parts.side);
    if (!c) return;
    const [history, data] = await Promise.all([api.history(c.id).catch(() => []), loadCustomer360(c)]);
    if (!stillNewest()) return; // a later opening (of this conversation or another) renders instead
    this.customer = { id: c.id, history, data };
    drawCustomer360(this.parts.side, c, history, data);
  }

  private button(label: string, action: () => Promise<unknown>): HTMLButtonElement {
    const button = el("button", { type: "button" }, label);
    button.addEventListener("click", () => void this.run(action));
    return button;
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    this.parts.status.textContent = "";
    try {
      await action();
    } catch (error) {
      this.parts.status.textContent = error instanceof ApiError ? error.detail : String(error);
      // Someone else changed the conversation first: show it as it is now.
      const open = this.state.open;
      if (error instanceof ApiError && error.code === "changed_meanwhile" && open) {
        await this.open(open.id).catch(() => undefined);
      }
    }
  }
}

function renderMessage(m: Message): HTMLElement {
  const when = timeOfDay(m.created_at);
  return el(
    "li",
    { class: `msg ${m.author_kind} ${m.kind}`, "data-internal": m.internal, "data-event": typeof m.data.event === "string" ? m.data.event : undefined },
    el("span", { class: "who" }, `${m.author_name} · ${labelOf("channel", m.channel)} · ${when}${m.internal ? ` · ${t("message.internal")}` : ""}`),
    el("span", { class: "body" }, m.body),
  );
}
