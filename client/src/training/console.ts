/** The console's "Training" tab: rehearse a scenario with a scripted customer (in the
 * console's text box, by voice where the browser recognises speech, or in the private 3D
 * room), see the score with its evidence and one's progress; supervisors and admins also
 * edit scenarios, with problems shown at their line, and dry-run sample replies. */

import { el, clear } from "../ui/dom";
import { ApiError } from "../console/api";
import { locale, t, type ConsoleKey } from "../console/strings";
import { trainingApi, type DryRun, type Problem, type Score, type Session } from "./api";
import { direction, summarise, type AdvisorSummary } from "./progress";
import { ReplayPlayer } from "./replay";
import { heardPhrases, recogniser, type Recognition, type RecognitionCtor } from "./speech";

const POLL_MS = 1000;
const MOODS = new Set(["calm", "worried", "annoyed", "angry", "furious"]);
const OUTCOMES = new Set(["resolved", "booked", "handed_off", "abandoned", "unresolved"]);
const SPEECH_LANG: Record<string, string> = { en: "en-GB", fr: "fr-FR", it: "it-IT" };
const SPEECH_FATAL = new Set(["not-allowed", "service-not-allowed", "audio-capture", "network", "language-not-supported"]);

function mood(name: string): string {
  return MOODS.has(name) ? t(`training.mood.${name}` as ConsoleKey) : name;
}

function outcome(name: string | null): string {
  return name && OUTCOMES.has(name) ? t(`training.outcome.${name}` as ConsoleKey) : t("training.outcome.none");
}

function problemText(p: Problem): string {
  return t("training.problem", { line: p.line, column: p.column, path: p.path, message: p.message });
}

export class TrainingView {
  readonly element = el("section", { class: "training", hidden: true, "data-testid": "training" });
  private brand = "";
  private coach = false;
  private session: Session | null = null;
  private poll: number | undefined;
  // Speech: on while the trainee wants their replies heard; the recogniser outlives the
  // composer, which is drawn again with every new line.
  private listening = false;
  private hearing: Recognition | null = null;
  private heard = "";
  // The recogniser exists but cannot work here (microphone refused, no speech service).
  private speechFailed = false;

  constructor(private readonly brandOf: () => string) {}

  async show(): Promise<void> {
    this.brand = this.brandOf();
    const me = await trainingApi.me();
    this.coach = me.roles.some((r) => r === "supervisor" || r === "admin" || r === "superadmin");
    await this.render();
  }

  relabel(): void {
    if (!this.element.hidden) void this.render();
  }

  private async render(): Promise<void> {
    clear(this.element);
    const lang = el("select", { "data-testid": "training-language", "aria-label": t("training.language") });
    for (const code of ["en", "fr", "it"]) lang.append(el("option", { value: code }, t(`training.lang.${code}` as ConsoleKey)));
    lang.value = locale();
    const list = el("ul", { class: "training-scenarios", "data-testid": "training-scenarios" });
    const scenarios = await trainingApi.scenarios(this.brand, locale());
    for (const s of scenarios) {
      const start = el("button", { type: "button", "data-testid": `training-start-${s.slug}` }, t("training.start"));
      start.addEventListener("click", () => void this.begin(s.slug, lang.value));
      list.append(
        el(
          "li",
          {},
          el("strong", {}, s.title),
          el("span", {}, s.summary),
          el("small", {}, t("training.persona", { name: s.persona, mood: mood(s.mood) })),
          start,
        ),
      );
    }
    const sessionPanel = el("div", { class: "training-session", "data-testid": "training-session" });
    const progress = el("div", { class: "training-progress", "data-testid": "training-progress" });
    this.element.append(
      el("h2", {}, t("training.scenarios")),
      el("label", {}, t("training.language"), " ", lang),
      list,
      sessionPanel,
      el("h2", {}, t("training.progress")),
      progress,
    );
    if (this.session) this.drawSession(sessionPanel, this.session);
    void this.drawProgress(progress);
    if (this.coach) {
      const team = el("div", { "data-testid": "training-team" });
      const advisors = el("div", { class: "training-advisors", "data-testid": "training-advisors" });
      this.element.append(
        el("h2", {}, t("training.advisors")),
        advisors,
        el("h2", {}, t("training.team")),
        team,
        this.editor(scenarios.map((s) => s.slug)),
      );
      void this.drawAdvisors(advisors);
      void this.drawTeam(team);
    }
  }

  private async begin(slug: string, language: string): Promise<void> {
    const made = await trainingApi.create(this.brand, slug, language);
    this.stopHearing();
    this.heard = "";
    this.session = await trainingApi.start(made.id);
    this.redrawSession();
    this.watch();
  }

  private watch(): void {
    window.clearInterval(this.poll);
    this.poll = window.setInterval(() => {
      const current = this.session;
      if (!current || current.state === "ended") {
        window.clearInterval(this.poll);
        return;
      }
      void trainingApi.session(current.id).then((fresh) => this.update(fresh));
    }, POLL_MS);
  }

  /** Take a newer view of the session: an answer that left later than another (a poll
   * crossing a reply) never puts an older state back. */
  private update(fresh: Session): void {
    const now = this.session;
    if (now && now.id === fresh.id) {
      if (now.state === "ended" || fresh.transcript.length < now.transcript.length) return;
      if (fresh.transcript.length === now.transcript.length && fresh.state === now.state) return;
    }
    this.session = fresh;
    if (fresh.state !== "running") this.stopHearing();
    this.redrawSession();
  }

  private redrawSession(): void {
    const panel = this.element.querySelector<HTMLElement>("[data-testid=training-session]");
    if (panel && this.session) this.drawSession(panel, this.session);
  }

  private drawSession(panel: HTMLElement, session: Session): void {
    clear(panel);
    panel.dataset.state = session.state;
    panel.append(
      el("h2", {}, session.title),
      el("p", { "data-testid": "training-mood" }, t("training.persona", { name: session.persona, mood: mood(session.mood) })),
    );
    const transcript = el("ol", { class: "transcript", "data-testid": "training-transcript" });
    for (const line of session.transcript) {
      const who = line.who === "trainee" ? t("training.you") : session.persona;
      transcript.append(
        el(
          "li",
          { class: `msg ${line.who === "trainee" ? "agent" : "customer"}`, "data-escalation": line.escalation ? "true" : undefined },
          el("span", { class: "who" }, who),
          el("span", { class: "body" }, line.line),
        ),
      );
    }
    panel.append(transcript);
    if (session.state === "running") panel.append(this.composer(session));
    if (session.state === "ended") {
      panel.append(this.results(session));
      const progress = this.element.querySelector<HTMLElement>("[data-testid=training-progress]");
      if (progress) void this.drawProgress(progress);
    }
  }

  private composer(session: Session): HTMLElement {
    const box = el("textarea", { rows: 2, "data-testid": "training-reply", "aria-label": t("training.reply"), placeholder: t("training.reply") });
    const send = el("button", { type: "submit", "data-testid": "training-send" }, t("training.send"));
    const form = el("form", { class: "compose" }, box, el("div", { class: "actions" }, send));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      box.value = "";
      void this.sendReply(session.id, text);
    });
    const actions = form.querySelector(".actions") as HTMLElement;
    actions.append(this.speechControl(session));
    if (session.zone) {
      const room = `/store/${encodeURIComponent(session.brand)}?zone=${encodeURIComponent(session.zone)}&lang=${session.language}`;
      actions.append(el("a", { href: room, target: "_blank", rel: "noopener", "data-testid": "training-room" }, t("training.enterRoom")));
    }
    const end = el("button", { type: "button", "data-testid": "training-end" }, t("training.end"));
    end.addEventListener("click", () => {
      void trainingApi.end(session.id).then((fresh) => {
        this.session = fresh;
        this.redrawSession();
      });
    });
    actions.append(end);
    return form;
  }

  /** Speak my replies: each phrase the browser recognises is sent as a reply. Where the
   * browser has no speech recognition, the control says so and the text box stays. */
  private speechControl(session: Session): HTMLElement {
    const Ctor = recogniser();
    const toggle = el("input", { type: "checkbox", "data-testid": "training-speech" }) as HTMLInputElement;
    const label = el("label", { class: "training-speech" }, toggle, " ", t("training.speech"));
    if (!Ctor || this.speechFailed) {
      toggle.disabled = true;
      const why = Ctor ? t("training.speechFailed") : t("training.speechUnavailable");
      return el(
        "span",
        { class: "training-speech-box" },
        label,
        el("small", { "data-testid": "training-speech-unavailable", role: "note" }, why),
      );
    }
    const status = el("small", { "data-testid": "training-speech-status", "aria-live": "polite" });
    toggle.checked = this.listening;
    const say = (): void => {
      status.textContent = !this.listening ? "" : this.heard ? t("training.heard", { text: this.heard }) : t("training.listening");
    };
    say();
    toggle.addEventListener("change", () => {
      if (toggle.checked) this.startHearing(Ctor, session);
      else this.stopHearing();
      say();
    });
    return el("span", { class: "training-speech-box" }, label, status);
  }

  private startHearing(Ctor: RecognitionCtor, session: Session): void {
    this.stopHearing();
    const hearing = new Ctor();
    hearing.lang = SPEECH_LANG[session.language] ?? "en-GB";
    hearing.continuous = true;
    hearing.interimResults = false;
    hearing.onresult = (event) => {
      for (const phrase of heardPhrases(event)) void this.sendReply(session.id, phrase, true);
    };
    hearing.onerror = (event) => {
      // No microphone or no speech service: say so and leave the text box; a silence
      // or an abort only ends this round of listening (it restarts).
      if (event.error && SPEECH_FATAL.has(event.error)) {
        this.stopHearing();
        this.speechFailed = true;
        this.redrawSession();
      }
    };
    hearing.onend = () => {
      // Browsers stop listening after a silence: listen again while it is wanted.
      if (this.hearing === hearing && this.listening && this.session?.state === "running") {
        try {
          hearing.start();
        } catch {
          this.stopHearing();
        }
      }
    };
    this.hearing = hearing;
    this.listening = true;
    hearing.start();
  }

  private stopHearing(): void {
    const hearing = this.hearing;
    this.hearing = null;
    this.listening = false;
    if (hearing) {
      hearing.onend = null;
      hearing.onresult = null;
      try {
        hearing.stop();
      } catch {
        /* already stopped */
      }
    }
  }

  private async sendReply(id: string, text: string, heard = false): Promise<void> {
    const fresh = await trainingApi.reply(id, text);
    if (heard) this.heard = text;
    this.update(fresh);
  }

  private results(session: Session): HTMLElement {
    const out = el("div", { class: "training-results", "data-testid": "training-results" });
    out.append(el("p", { "data-testid": "training-outcome" }, t("training.outcomeIs", { outcome: outcome(session.outcome) })));
    if (session.score) out.append(scoreView(session.score));
    if (session.revealed) {
      const facts = el("ul", {}, ...session.revealed.hidden_facts.map((f) => el("li", {}, f)));
      out.append(el("h3", {}, t("training.revealed")), el("p", {}, t("training.goal", { goal: session.revealed.goal })), facts);
    }
    if (session.comments.length) {
      out.append(
        el("h3", {}, t("training.comments")),
        el("ul", {}, ...session.comments.map((c) => el("li", {}, el("strong", {}, c.author), " ", c.remark))),
      );
    }
    return out;
  }

  private async drawProgress(box: HTMLElement): Promise<void> {
    const found = await trainingApi.progress(this.brand);
    clear(box);
    if (!found.sessions) {
      box.append(el("p", {}, t("training.noSessions")));
      return;
    }
    box.append(el("p", {}, t("training.average", { percent: found.average_percent ?? 0, count: found.sessions })));
    const rows = el("ol", { class: "training-points" });
    for (const p of found.points) {
      const when = p.ended_at ? new Date(p.ended_at).toLocaleString(locale()) : "";
      rows.append(
        el(
          "li",
          {},
          el("meter", { min: 0, max: 100, value: p.percent ?? 0 }),
          " ",
          t("training.point", { when, scenario: p.scenario, percent: p.percent ?? 0 }),
        ),
      );
    }
    box.append(rows);
  }

  // ------------------------------------------------------------------ coaching

  /** Each advisor of the brand (and anyone who rehearsed there) with their scores over
   * time per scenario and the trend. */
  private async drawAdvisors(box: HTMLElement): Promise<void> {
    const [advisors, sessions] = await Promise.all([trainingApi.advisors(), trainingApi.sessions(this.brand)]);
    const names = new Map<string, string>();
    for (const a of advisors) if (a.brand_slugs.includes(this.brand)) names.set(a.user_id, a.display_name);
    for (const s of sessions) if (!names.has(s.trainee_id)) names.set(s.trainee_id, s.trainee_id.slice(0, 8));
    const rows = await Promise.all(
      [...names].map(async ([id, name]) => ({ id, name, summary: summarise(await trainingApi.progress(this.brand, id)) })),
    );
    rows.sort((a, b) => b.summary.sessions - a.summary.sessions || a.name.localeCompare(b.name));
    clear(box);
    const list = el("ul", { class: "training-advisor-list" });
    for (const row of rows) list.append(advisorView(row.id, row.name, row.summary));
    box.append(rows.length ? list : el("p", {}, t("training.noSessions")));
  }

  private async drawTeam(box: HTMLElement): Promise<void> {
    const sessions = await trainingApi.sessions(this.brand);
    clear(box);
    const list = el("ul", { class: "training-team" });
    for (const s of sessions) {
      const open = el("button", { type: "button", class: "link", "data-session": s.id }, t("training.sessionRow", {
        scenario: s.title,
        trainee: s.trainee_id.slice(0, 8),
        outcome: s.state === "ended" ? outcome(s.outcome) : t(`training.state.${s.state}` as ConsoleKey),
        percent: s.score ? s.score.percent : "–",
      }));
      const detail = el("div", { class: "training-replay" });
      open.addEventListener("click", () => void this.drawReplay(detail, s.id));
      list.append(el("li", {}, open, detail));
    }
    box.append(sessions.length ? list : el("p", {}, t("training.noSessions")));
  }

  private async drawReplay(box: HTMLElement, id: string): Promise<void> {
    const replay = await trainingApi.replay(id);
    clear(box);
    const player = new ReplayPlayer(replay.events, (e) => {
      const who = t(`training.who.${e.who === "trainee" || e.who === "customer" ? e.who : "system"}` as ConsoleKey);
      const what = e.kind === "say" ? e.line : e.kind === "move" ? t("training.moved", { x: String(e.detail.x), z: String(e.detail.z) }) : e.kind;
      return t("training.event", { at: e.at.toFixed(1), who, what });
    });
    const remark = el("textarea", { rows: 2, "aria-label": t("training.comment"), placeholder: t("training.comment") });
    const send = el("button", { type: "button" }, t("training.comment"));
    send.addEventListener("click", () => {
      const text = remark.value.trim();
      if (!text) return;
      void trainingApi.comment(id, text, null).then(() => this.drawReplay(box, id));
    });
    box.append(
      replay.session.score ? scoreView(replay.session.score) : el("span"),
      player.root,
      el("ul", {}, ...replay.session.comments.map((c) => el("li", {}, el("strong", {}, c.author), " ", c.remark))),
      remark,
      send,
    );
  }

  // ------------------------------------------------------------------ authoring

  private editor(slugs: string[]): HTMLElement {
    const pick = el("select", { "data-testid": "training-editor-scenario", "aria-label": t("training.editor") }, ...slugs.map((s) => el("option", { value: s }, s)));
    const gutter = el("ol", { class: "training-gutter", "aria-hidden": "true" });
    const source = el("textarea", { class: "training-source", rows: 24, spellcheck: false, "data-testid": "training-editor-source", "aria-label": t("training.editor") });
    const problems = el("ul", { class: "training-problems", "data-testid": "training-problems", role: "status" });
    const samples = el("textarea", { rows: 4, "data-testid": "training-samples", "aria-label": t("training.samples"), placeholder: t("training.samples") });
    const result = el("div", { "data-testid": "training-dry-run" });
    const status = el("p", { role: "status", "data-testid": "training-editor-status" });
    const check = el("button", { type: "button", "data-testid": "training-validate" }, t("training.validate"));
    const dry = el("button", { type: "button", "data-testid": "training-dry" }, t("training.dryRun"));
    const save = el("button", { type: "button", "data-testid": "training-save" }, t("training.save"));

    const numbers = (bad: Set<number>) => {
      clear(gutter);
      const count = source.value.split("\n").length;
      for (let i = 1; i <= count; i++) gutter.append(el("li", { "data-bad": bad.has(i) ? "true" : undefined }, String(i)));
    };
    const goTo = (line: number, column: number) => {
      const lines = source.value.split("\n");
      let at = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
      source.focus();
      source.setSelectionRange(at + column - 1, at + (lines[line - 1]?.length ?? 0));
      source.scrollTop = Math.max(0, (line - 3) * 18);
    };
    const show = (found: Problem[]) => {
      clear(problems);
      numbers(new Set(found.map((p) => p.line)));
      for (const p of found) {
        const link = el("button", { type: "button", class: "link", "data-line": p.line }, problemText(p));
        link.addEventListener("click", () => goTo(p.line, p.column));
        problems.append(el("li", {}, link));
      }
      status.textContent = found.length ? "" : t("training.valid");
    };
    const failed = (error: unknown) => {
      status.textContent = error instanceof ApiError ? error.detail : String(error);
    };
    const load = () =>
      void trainingApi.source(this.brand, pick.value).then((s) => {
        source.value = s.source;
        show([]);
        status.textContent = "";
      });
    pick.addEventListener("change", load);
    source.addEventListener("input", () => numbers(new Set()));
    check.addEventListener("click", () => void trainingApi.validate(this.brand, source.value).then((r) => show(r.problems), failed));
    dry.addEventListener("click", () => {
      const replies = samples.value.split("\n").map((s) => s.trim()).filter(Boolean);
      if (!replies.length) return;
      void trainingApi.validate(this.brand, source.value).then((r) => {
        show(r.problems);
        if (!r.valid) return;
        void trainingApi.dryRun(this.brand, source.value, locale(), replies).then((run) => drawDryRun(result, run), failed);
      }, failed);
    });
    save.addEventListener("click", () => {
      void trainingApi.validate(this.brand, source.value).then((r) => {
        show(r.problems);
        if (!r.valid) return;
        void trainingApi.save(this.brand, pick.value, source.value).then(() => (status.textContent = t("training.saved")), failed);
      }, failed);
    });
    load();
    return el(
      "section",
      { class: "training-editor", "data-testid": "training-editor" },
      el("h2", {}, t("training.editor")),
      pick,
      el("div", { class: "training-code" }, gutter, source),
      el("div", { class: "actions" }, check, save),
      problems,
      status,
      el("h3", {}, t("training.dryRun")),
      samples,
      el("div", { class: "actions" }, dry),
      result,
    );
  }
}

function scoreView(score: Score): HTMLElement {
  const items = el("ul", { class: "training-items" });
  for (const item of score.items) {
    const evidence = item.evidence
      ? t("training.evidence", { at: item.evidence.at, text: item.evidence.text })
      : t("training.noEvidence");
    items.append(
      el(
        "li",
        { "data-passed": String(item.passed), "data-item": item.id },
        el("strong", {}, `${item.passed ? "✓" : "✗"} ${item.title}`),
        " ",
        t("training.points", { earned: item.earned, points: item.points }),
        el("div", {}, item.reason),
        el("small", {}, evidence),
      ),
    );
  }
  return el(
    "div",
    {},
    el("p", { class: "training-score", "data-testid": "training-score" }, t("training.score", { percent: score.percent, earned: score.earned, total: score.total })),
    items,
  );
}

function dated(when: string | null): string {
  return when ? new Date(when).toLocaleDateString(locale()) : "";
}

function trend(change: number | null): string {
  const way = direction(change);
  if (way === null || change === null) return t("training.trend.none");
  return way === "steady" ? t("training.trend.steady") : t(`training.trend.${way}`, { points: Math.abs(change) });
}

function advisorView(id: string, name: string, summary: AdvisorSummary): HTMLElement {
  const item = el("li", { "data-advisor": id });
  if (!summary.sessions) {
    item.append(el("strong", {}, name), " · ", t("training.noSessions"));
    return item;
  }
  item.append(
    el("strong", {}, t("training.advisorRow", { name, count: summary.sessions, percent: summary.average ?? 0, when: dated(summary.last) })),
    " · ",
    el("span", { "data-trend": direction(summary.change) ?? "none" }, trend(summary.change)),
  );
  const scenarios = el("ul", {});
  for (const s of summary.scenarios) {
    scenarios.append(
      el(
        "li",
        { "data-scenario": s.scenario },
        el("meter", { min: 0, max: 100, value: s.latest }),
        " ",
        el("strong", {}, s.scenario),
        " ",
        s.scores.map((p) => t("training.datedScore", { when: dated(p.when), percent: p.percent })).join(" → "),
        " · ",
        el("span", { "data-trend": direction(s.change) ?? "none" }, trend(s.change)),
      ),
    );
  }
  item.append(scenarios);
  return item;
}

function drawDryRun(box: HTMLElement, run: DryRun): void {
  clear(box);
  box.append(
    el("p", { "data-testid": "training-path" }, t("training.path", { path: run.path.join(" → ") })),
    el("p", {}, t("training.outcomeIs", { outcome: outcome(run.outcome) })),
    scoreView(run.score),
  );
}
