/** The console page: presence, queue, my conversations, the open conversation and its
 * customer panel. Live frames from /ws/console drive every change; lists are fetched
 * again only when a frame says a conversation changed state. */

import { ApiError, api, type Advisor, type Canned, type Conversation, type Message } from "./api";
import { applyFrame, cannedMatches, initialState, waited, type ConsoleFrame, type ConsoleState } from "./state";
import { clear, el } from "../ui/dom";
import { Latest } from "../ui/latest";
import { renderCustomer360 } from "./customer360";

const DISPOSITIONS = ["solved", "not_solved", "follow_up", "spam", "duplicate"];

export class ConsoleApp {
  private state: ConsoleState = initialState("");
  private presence: Advisor["status"] = "offline";
  private canned: Canned[] = [];
  private socket: WebSocket | null = null;
  private readonly listLoads = new Latest();
  private readonly openings = new Latest();
  private readonly parts = {
    presence: el("select", { "aria-label": "Presence" }),
    queue: el("ul", { class: "list", "aria-label": "Queue" }),
    mine: el("ul", { class: "list", "aria-label": "My conversations" }),
    withBot: el("ul", { class: "list", "aria-label": "With the assistant" }),
    main: el("section", { class: "conversation", "aria-label": "Conversation" }),
    side: el("aside", { class: "customer", "aria-label": "Customer" }),
    status: el("p", { class: "status", role: "status" }),
    live: el("span", { class: "live" }, "connecting…"),
  };

  constructor(private readonly root: HTMLElement) {}

  async start(): Promise<void> {
    clear(this.root);
    const me = await api.presence().catch(() => null);
    this.presence = me?.status ?? "offline";
    for (const status of ["online", "away", "offline"] as const) {
      this.parts.presence.append(el("option", { value: status, selected: status === this.presence }, status));
    }
    this.parts.presence.addEventListener("change", () => {
      void this.run(async () => {
        this.presence = (await api.setPresence(this.parts.presence.value as Advisor["status"])).status;
      });
    });
    this.root.append(
      el("header", { class: "bar" }, el("h1", {}, "Agent console"), this.parts.live, el("label", {}, "Presence ", this.parts.presence)),
      el(
        "div",
        { class: "layout" },
        el("nav", {}, el("h2", {}, "Queue"), this.parts.queue, el("h2", {}, "Mine"), this.parts.mine, el("h2", {}, "With the assistant"), this.parts.withBot),
        this.parts.main,
        this.parts.side,
      ),
      this.parts.status,
    );
    this.connect();
  }

  private connect(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/console`);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.onFrame(JSON.parse(String(event.data)) as ConsoleFrame));
    socket.addEventListener("close", () => {
      this.parts.live.textContent = "offline — reconnecting";
      this.parts.live.dataset.state = "down";
      window.setTimeout(() => this.connect(), 2000);
    });
  }

  private onFrame(frame: ConsoleFrame): void {
    if (frame.type === "hello") {
      this.state = { ...initialState(frame.user_id), open: this.state.open };
      this.parts.live.textContent = "live";
      this.parts.live.dataset.state = "up";
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
      const open = el("button", { class: "link", type: "button" }, `${c.customer_name || "Customer"} · ${c.channel} · ${c.locale}`);
      open.addEventListener("click", () => void this.open(c.id));
      return el(
        "li",
        { "data-id": c.id, "data-offered": offered, "data-escalated": escalated },
        open,
        el("small", {}, ` ${c.queue ?? ""} ${waited(c.queued_at, now)}${escalated ? " · escalated" : ""}`),
        action,
      );
    };
    clear(this.parts.queue);
    for (const c of this.state.queue) {
      const accept = el("button", { type: "button", class: "accept" }, this.state.offers.has(c.id) ? "Accept (offered)" : "Accept");
      accept.addEventListener("click", () => void this.run(async () => {
        await api.accept(c.id);
        await this.open(c.id);
      }));
      this.parts.queue.append(item(c, accept));
    }
    if (!this.state.queue.length) this.parts.queue.append(el("li", { class: "empty" }, "Nobody waiting"));
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
    transcript: HTMLOListElement;
    actions: HTMLElement;
    state: string;
  } | null = null;

  private renderConversation(): void {
    const c = this.state.open;
    if (!c) {
      this.view = null;
      clear(this.parts.main);
      this.parts.main.append(el("p", { class: "empty" }, "Accept or open a conversation."));
      return;
    }
    if (this.view?.id !== c.id) this.build(c.id);
    const view = this.view!;
    clear(view.header);
    view.header.append(`${c.customer_name || "Customer"} — ${c.state.replaceAll("_", " ")}`);
    clear(view.summary);
    const summary = c.handoff_summary;
    view.summary.append(
      el("h3", {}, "Bot summary"),
      el("p", {}, summary.text || "No summary."),
      summary.intent ? el("p", {}, `Intent: ${summary.intent}`) : "",
      summary.verified_identity ? el("p", {}, `Verified: ${summary.verified_identity}`) : "",
      summary.tried?.length ? el("p", {}, `Tried: ${summary.tried.join(", ")}`) : "",
      summary.slots && Object.keys(summary.slots).length
        ? el("p", {}, `Details: ${Object.entries(summary.slots).map(([k, v]) => `${k}=${v}`).join(", ")}`)
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
    const draft = el("textarea", { rows: 3, "aria-label": "Reply", placeholder: "Reply — type / for canned responses" });
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
    const send = this.button("Send", async () => {
      const text = draft.value.trim();
      draft.value = "";
      if (text) await api.reply(id, text);
    });
    const note = this.button("Internal note", async () => {
      const text = draft.value.trim();
      draft.value = "";
      if (text) await api.note(id, text);
    });
    this.view = {
      id,
      header: el("h2", {}),
      summary: el("section", { class: "summary", "aria-label": "Bot summary" }),
      transcript: el("ol", { class: "transcript", "aria-live": "polite" }),
      actions: el("div", { class: "actions" }),
      state: "",
    };
    clear(this.parts.main);
    this.parts.main.append(
      this.view.header,
      this.view.summary,
      this.view.transcript,
      el("div", { class: "compose" }, draft, suggestions, el("div", { class: "actions" }, send, note)),
      this.view.actions,
    );
  }

  private renderActions(actions: HTMLElement, c: Conversation): void {
    clear(actions);
    const disposition = el("select", { "aria-label": "Disposition" }, ...DISPOSITIONS.map((d) => el("option", { value: d }, d)));
    const transferTo = el("select", { "aria-label": "Transfer to" });
    void api.advisors().then((advisors) => {
      transferTo.append(el("option", { value: "queue:general" }, "queue: general"));
      for (const a of advisors) {
        if (a.user_id !== this.state.userId && a.status === "online") {
          transferTo.append(el("option", { value: `advisor:${a.user_id}` }, `${a.display_name} (${a.active}/${a.capacity})`));
        }
      }
    });
    actions.append(
      el("label", {}, "Transfer ", transferTo),
      this.button("Transfer", async () => {
        const [kind, value] = transferTo.value.split(":");
        await api.transfer(c.id, kind === "queue" ? { queue: value } : { advisor_id: value });
      }),
      this.button("Hand back to bot", () => api.handBack(c.id)),
      c.state === "bot" ? this.button("Take over (supervisor)", () => api.takeOver(c.id)) : "",
      this.button("Join in world", async () => {
        const target = await api.joinWorld(c.id);
        window.open(target.url, "_blank", "noopener");
      }),
      el("label", {}, "Disposition ", disposition),
      this.button("Resolve", () => api.resolve(c.id, disposition.value)),
    );
  }

  private async renderCustomer(stillNewest: () => boolean): Promise<void> {
    const c = this.state.open;
    clear(this.parts.side);
    if (!c) return;
    const history = await api.history(c.id).catch(() => []);
    await renderCustomer360(this.parts.side, c, history, stillNewest);
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
  const when = new Date(m.created_at).toLocaleTimeString();
  return el(
    "li",
    { class: `msg ${m.author_kind} ${m.kind}`, "data-internal": m.internal, "data-event": typeof m.data.event === "string" ? m.data.event : undefined },
    el("span", { class: "who" }, `${m.author_name} · ${m.channel} · ${when}${m.internal ? " · internal" : ""}`),
    el("span", { class: "body" }, m.body),
  );
}
