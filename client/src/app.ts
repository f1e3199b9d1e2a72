/**
 * The storefront application: loads the brand, opens the world connection, and runs
 * either the 3D stage or the accessible 2D view (toggle, or automatically without
 * WebGL). Chat, people and products are shared by both modes.
 */

import { fetchBrand, startZone, type Brand } from "./api/brand";
import { fetchProducts, type Product } from "./api/catalog";
import { openSession } from "./api/http";
import { installDebugHook } from "./debug";
import { isLocale, locale, localized, pickLocale, setLocale, t, type Locale } from "./i18n";
import { WorldConnection, worldUrl, type ConnState } from "./net/connection";
import type { OutFrame } from "./net/codec";
import { ErrorCode } from "./net/protocol.gen";
import { StorefrontPrivacy } from "./privacy";
import { mountShop } from "./commerce/shop";
import { mountAppointments } from "./scheduling/storefront";
import { Speaker } from "./speech";
import { ChatPanel } from "./ui/chat";
import { ConversationSync } from "./ui/conversationSync";
import { el } from "./ui/dom";
import { PlainView } from "./ui/plain";
import { Suggestions } from "./insights/suggestions";
import { ProductPanel } from "./ui/productPanel";
import { Toolbar } from "./ui/toolbar";
import { VoicePanel } from "./voice/panel";
import { AvatarChooser } from "./ui/avatarChooser";
import { loadAppearance, saveAppearance, toLook } from "./world/appearance";
import { attachControls, createJoystick } from "./world/controls";
import { createInput } from "./world/input";
import { createGlCanvas, Stage, type GlCanvas } from "./world/stage";
import { roomAhead } from "./world/rooms";
import { createWorldState, type WorldState } from "./world/state";
import { adaptQuality, initialQuality, TIERS, type Quality } from "./world/quality";
import { median, worldTick } from "./world/tick";
import { type FixedPoseSource, vrSupported } from "./world/xr";

const MODE_KEY = "vitrina.mode";
const LOCALE_KEY = "vitrina.locale";
/** The quality tier the last visit ended at, so the next one starts there. */
const QUALITY_KEY = "vitrina.quality";
/** Seconds after the store became interactive before the tier may change: the first frames compile shaders. */
const QUALITY_WARMUP_S = 3;
const FRAME_SAMPLES = 240;

export type Mode = "3d" | "2d";

export class App {
  readonly world: WorldState;
  readonly input = createInput();
  readonly speaker = new Speaker();
  readonly connection: WorldConnection;
  readonly chat: ChatPanel;
  readonly conversation: ConversationSync;
  private signIn: { relabel: () => void } | null = null;
  readonly toolbar: Toolbar;
  readonly plain: PlainView;
  readonly suggestions: Suggestions;
  readonly people: HTMLElement;
  readonly voice: VoicePanel;
  readonly stageBox: HTMLElement;
  readonly inspector: HTMLElement;
  readonly privacy: StorefrontPrivacy;
  readonly avatarChooser: AvatarChooser;
  stage: Stage | null = null;
  inspectPanel: ProductPanel | null = null;
  products: Product[] = [];
  mode: Mode;
  readyAt: number | null = null;
  /** Poses set through the debug hook stand in for a headset (browsers without one). */
  posesOverride: FixedPoseSource | null = null;
  /** A pixel ratio fixed through the debug hook (benchmarks), instead of the adaptive one. */
  pinnedPixelRatio: number | null = null;
  /** The quality tier and pixel ratio, adapted to measured frame times. */
  readonly quality: Quality;
  readonly webgl: boolean;
  readonly frameIntervals = new Float32Array(FRAME_SAMPLES);
  readonly frameWork = new Float32Array(FRAME_SAMPLES);
  frameCount = 0;
  private lastFrame = 0;
  private readonly privateZone: string | null;
  private plainTimer: number | null = null;
  private detachControls: (() => void) | null = null;
  private vrAvailable = false;
  private markReady: () => void = () => undefined;
  /** Settles on the first frame after the world welcomed us. */
  readonly interactive = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    readonly root: HTMLElement,
    readonly brand: Brand,
    requestedMode: Mode | null,
    requestedZone: string | null,
    private readonly gl: GlCanvas | null,
  ) {
    const linkedProduct = new URLSearchParams(location.search).get("product");
    // A training room (advisor rehearsal) is a private copy of one of the store's zones: it
    // is joined by its own name, and walking to its edge leads nowhere else.
    this.privateZone = requestedZone !== null && requestedZone.startsWith("training-") ? requestedZone : null;
    this.world = createWorldState(brand.slug, this.privateZone ?? startZone(brand.layout, requestedZone, linkedProduct).name);
    // The chosen look is kept in this browser and travels with every join.
    this.world.local.look = loadAppearance(localStorage);
    this.avatarChooser = new AvatarChooser(this.world.local.look, {
      onPreview: (look) => (this.world.local.look = look),
      onSave: (look) => {
        saveAppearance(localStorage, look);
        this.world.local.look = look;
        this.connection.send(this.joinFrame(this.world.zone));
      },
    });
    this.webgl = gl !== null;
    this.quality = initialQuality(storedQuality(), window.devicePixelRatio || 1, gl?.software ?? false);
    this.mode = this.webgl ? (requestedMode ?? "3d") : "2d";
    this.chat = new ChatPanel((text) => this.connection.send({ t: "chat", text }));
    this.conversation = new ConversationSync(brand.slug, this.chat);
    this.toolbar = new Toolbar(brand.name, brand.layout, {
      onLocale: (next) => this.changeLocale(next),
      onSound: (on) => this.speaker.setEnabled(on),
      onMode: () => this.setMode(this.mode === "3d" ? "2d" : "3d", true),
      onZone: (zone) => this.connection.send(this.joinFrame(zone)),
      onVr: () => void this.toggleVr(),
    }, this.mode);
    this.toolbar.setZone(this.world.zone);
    this.people = el("section", { class: "people", "aria-labelledby": "people-title" });
    this.plain = new PlainView(brand, (explainer) => {
      if (explainer) this.speaker.speak(`${localized(explainer.title)}. ${localized(explainer.text)}`);
    });
    this.inspector = el("aside", { class: "inspector", hidden: true, "data-testid": "inspector" });
    this.stageBox = el("div", { class: "stage", "data-testid": "stage" });
    const account = el("section", { class: "account" });
    // Wallet sign-in (and its cryptography) is loaded after the store is interactive.
    void this.interactive
      .then(() => import("./identity"))
      .then(({ mountSignInPanel }) => {
        this.signIn = mountSignInPanel(account, {
          brand: brand.slug,
          onVerified: () => {
            this.chat.showNotice(null);
            // The session now carries the customer's name: enter again under it.
            this.leave();
            this.connection.start();
          },
        });
      });
    this.voice = new VoicePanel((frame) => this.connection.send(frame));
    // The top suggestion is highlighted on its stand in 3D and in the 2D list.
    this.suggestions = new Suggestions(brand.slug, (product) => {
      this.plain.setHighlight(product);
      this.stage?.highlightStand(product);
    });
    const side = el("aside", { class: "side" }, this.chat.element, this.suggestions.element, this.people, this.voice.element, account);
    const notice = this.webgl ? null : el("p", { class: "notice", role: "note" }, t("ui.noWebgl"));
    root.replaceChildren(this.toolbar.element, ...(notice ? [notice] : []), el("div", { class: "layout" }, this.stageBox, this.plain.element, side));
    this.connection = new WorldConnection({
      url: worldUrl(location, new URLSearchParams(location.search).get("format") === "json"),
      json: new URLSearchParams(location.search).get("format") === "json",
      joinFrame: (): OutFrame => this.joinFrame(this.world.zone),
      onFrame: (frame) => {
        // Call signalling goes straight to the voice panel, not through the frame tick.
        if (this.voice.onFrame(frame) || (frame.t === "error" && this.voice.onError(frame))) return;
        if (frame.t === "welcome" && this.world.welcomed === 0) performance.mark("vitrina:welcome");
        if (frame.t === "welcome") {
          this.voice.setIceServers(frame.ice ?? []);
          this.conversation.onWelcome();
        }
        this.world.inbox.push(frame);
      },
      onState: (state) => this.connectionChanged(state),
      reauthenticate: () => openSession(brand.slug, locale()),
    });
    this.privacy = new StorefrontPrivacy({
      brand: brand.slug,
      locale,
      channel: () => (this.mode === "3d" ? "storefront_3d" : "storefront_2d"),
      send: (frame) => this.connection.send(frame),
      panel: () => (this.mode === "3d" ? this.inspectPanel : this.plain.panel),
      camera: () => (this.mode === "3d" && this.inspectPanel ? (this.stage?.camera ?? null) : null),
    });
    this.toolbar.element.append(this.avatarChooser.button, this.privacy.centreButton());
    document.body.append(this.avatarChooser.dialog);
    this.plain.element.append(this.privacy.centreButton("privacy-centre-open-2d"));
    window.addEventListener("online", () => this.connection.retryNow());
    window.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.inspectPanel) this.closeInspector();
    });
    installDebugHook(this);
  }

  async start(session: Promise<unknown>): Promise<void> {
    const products = fetchProducts(this.brand.slug);
    products.catch(() => undefined);
    // The socket opens as soon as the session exists, before the 3D view is built: the
    // handshake and the join travel while the main thread builds the view.
    const connecting = session.then(() => {
      performance.mark("vitrina:session");
      this.connection.start();
    });
    connecting.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.setMode(this.mode, false);
    performance.mark("vitrina:stage");
    await connecting;
    mountAppointments({ brand: this.brand.slug, toolbar: this.toolbar.element, plain: this.plain.element });
    mountShop({ brand: this.brand.slug, toolbar: this.toolbar.element, plain: this.plain.element });
    // The consent prompt comes before any optional tracking (docs/privacy.md).
    void this.privacy.mount(document.body);
    this.renderPeople();
    try {
      this.products = await products;
    } catch (error) {
      console.warn("products not available", error);
    }
    this.plain.setProducts(this.products);
    void this.suggestions.start().catch(() => undefined);
    // Digital twins are parsed on the main thread: only once the visitor can move.
    await this.interactive;
    // In the 2D mode too, where WebGL works: the product list shows photos of the twins.
    const stage = this.webgl ? this.ensureStage() : null;
    await stage?.loadProducts(this.products);
    if (stage) this.plain.setPhotos(stage.productPhotos());
    this.vrAvailable = this.webgl && (await vrSupported());
    this.toolbar.setVr(this.vrAvailable, false);
  }

  // ------------------------------------------------------------ modes

  setMode(mode: Mode, remember: boolean): void {
    if (mode === "3d" && !this.webgl) mode = "2d";
    this.mode = mode;
    if (remember) localStorage.setItem(MODE_KEY, mode);
    document.body.dataset.mode = mode;
    this.toolbar.setMode(mode);
    this.plain.element.hidden = mode !== "2d";
    this.stageBox.hidden = mode !== "3d";
    if (mode === "3d") {
      if (this.plainTimer !== null) window.clearInterval(this.plainTimer);
      this.plainTimer = null;
      this.ensureStage().renderer.setAnimationLoop((time) => this.frame(time));
    } else {
      this.stage?.renderer.setAnimationLoop(null);
      this.closeInspector();
      // Without rendering, the systems still run (chat, presence) ten times a second.
      if (this.plainTimer === null) this.plainTimer = window.setInterval(() => this.frame(performance.now()), 100);
    }
  }

  private ensureStage(): Stage {
    if (this.stage) return this.stage;
    if (!this.gl) throw new Error("no WebGL context for the 3D view");
    const canvas = this.gl.canvas;
    for (const [name, value] of [["class", "view"], ["tabindex", "0"], ["aria-label", this.brand.name], ["data-testid", "canvas"]]) {
      canvas.setAttribute(name, value);
    }
    const help = el("p", { class: "help" }, t("ui.help"));
    const stage = new Stage(this.gl, this.brand.layout, this.world, this.input, {
      onStandClick: (slug) => this.openProduct(slug),
    }, { tier: TIERS[this.quality.tier], pixelRatio: this.quality.pixelRatio, brandName: localized(this.brand.name) });
    this.stageBox.append(canvas, stage.bubbles.element, help, this.inspector);
    if (matchMedia("(pointer: coarse)").matches) this.stageBox.append(createJoystick(this.input));
    this.detachControls = attachControls(canvas, this.input, (x, y) => stage.clickAt(x, y));
    const resize = (): void => stage.resize(this.stageBox.clientWidth || 800, this.stageBox.clientHeight || 600);
    new ResizeObserver(resize).observe(this.stageBox);
    resize();
    this.stage = stage;
    // The shader programs are compiled by the first frames, lit surfaces and people first
    // (Stage's warm-up): compiling everything here would make the first frame wait for all.
    performance.mark("vitrina:compiled");
    if (this.products.length && this.readyAt !== null) void stage.loadProducts(this.products);
    return stage;
  }

  // ------------------------------------------------------------ the frame

  frame(time: number): void {
    const started = performance.now();
    const now = time / 1000;
    const dt = this.lastFrame ? Math.min(now - this.lastFrame, 0.25) : 0;
    if (this.lastFrame) {
      const i = this.frameCount % FRAME_SAMPLES;
      this.frameIntervals[i] = (now - this.lastFrame) * 1000;
    }
    this.lastFrame = now;
    if (this.stage?.inspecting || this.mode === "2d") {
      this.input.lookDX = 0;
      this.input.lookDY = 0;
      this.input.keys.clear();
    }
    worldTick(this.world, this.input, now, dt, (f) => this.connection.send(f), this.posesOverride ?? this.stage?.poses ?? null);
    this.followIntoNextRoom(now);
    this.drainUi();
    if (this.mode === "3d" && this.stage) {
      // By the clock: at 6 frames a second, a 60-frame period reacted only after ten seconds.
      if (this.pinnedPixelRatio === null && now - this.lastAdapt >= 1) {
        this.lastAdapt = now;
        this.adaptQuality(this.stage);
      }
      this.stage.render(now);
      if (!this.drewFirstFrame) performance.mark("vitrina:frame");
      this.drewFirstFrame = true;
    } else {
      this.world.added.length = 0;
      this.world.removed.length = 0;
    }
    if (this.readyAt === null && this.world.welcomed > 0) {
      this.readyAt = performance.now();
      performance.mark("vitrina:ready");
      this.markReady();
    }
    this.frameWork[this.frameCount % FRAME_SAMPLES] = performance.now() - started;
    this.frameCount += 1;
  }

  private lastAdapt = 0;
  private drewFirstFrame = false;

  private adaptQuality(stage: Stage): void {
    if (this.readyAt === null || performance.now() - this.readyAt < QUALITY_WARMUP_S * 1000) return;
    const stats = this.frameStats();
    // three frames are enough when each takes long: waiting for five could take ten seconds
    if (stats.samples < 3) return;
    const before = this.quality.tier;
    if (!adaptQuality(this.quality, stats.intervalMs, window.devicePixelRatio || 1)) return;
    if (this.quality.pixelRatio !== stage.renderer.getPixelRatio()) stage.renderer.setPixelRatio(this.quality.pixelRatio);
    if (this.quality.tier !== before) {
      stage.setTier(TIERS[this.quality.tier]);
      localStorage.setItem(QUALITY_KEY, this.quality.tier);
      this.frameCount = 0; // judge the new tier on its own frames
    }
  }

  private lastRoomChange = -Infinity;

  private joinFrame(zone: string): OutFrame {
    return { t: "join", brand: this.brand.slug, zone, look: toLook(this.world.local.look) };
  }

  private followIntoNextRoom(now: number): void {
    if (this.privateZone !== null) return;
    const local = this.world.local;
    if (local.id === null || now - this.lastRoomChange < 2) return;
    const next = roomAhead(this.brand.layout, this.world.zone, this.world.bounds, local.pose, local.intent, local.target);
    if (next && this.connection.send(this.joinFrame(next))) this.lastRoomChange = now;
  }

  private drainUi(): void {
    const world = this.world;
    for (const line of world.chat) {
      this.chat.add(line.name, line.badge, line.text, line.self);
      this.conversation.onLine(line);
      if (!line.self) this.speaker.maybeSpeak(line.badge, line.text);
    }
    if (world.chat.length) world.chat.length = 0;
    for (const notice of world.notices) {
      if (notice.code === ErrorCode.RATE_LIMITED) this.chat.showNotice("chat.rateLimited");
      else if (notice.code === ErrorCode.TEXT_TOO_LONG) this.chat.showNotice("chat.tooLong");
      else console.warn(`world: ${notice.code}: ${notice.msg}`);
    }
    if (world.notices.length) world.notices.length = 0;
    // By the clock, not by frames: with software rendering a frame can take 100 ms, and
    // a 30-frame period left the list seconds behind the avatars on screen.
    const now = performance.now();
    if (now - this.lastPanelRefresh >= 250) {
      this.lastPanelRefresh = now;
      this.renderPeople();
      this.voice.setPeople(world.local.badge, [...world.avatars.values()]);
      this.toolbar.setZone(world.zone);
    }
  }

  private lastPanelRefresh = -Infinity;
  private peopleKey = "";

  renderPeople(): void {
    const names = [...this.world.avatars.values()].map((a) => `${a.name} (${t(badgeKey(a.badge))})`).sort();
    const key = `${locale()}|${names.join("|")}`;
    if (key === this.peopleKey) return;
    this.peopleKey = key;
    const list = names.length ? el("ul", {}, ...names.map((n) => el("li", {}, n))) : el("p", {}, t("people.none"));
    this.people.replaceChildren(el("h2", { id: "people-title" }, t("people.title")), list);
  }

  // ------------------------------------------------------------ products in 3D

  openProduct(slug: string): void {
    const product = this.products.find((p) => p.slug === slug);
    const stage = this.stage;
    if (!product || !stage) return;
    stage.inspect(slug, Math.min(336, this.stageBox.clientWidth * 0.9)); // the panel is 21rem wide
    this.inspectPanel = new ProductPanel(this.brand.slug, product, {
      onLook: (look) => stage.applyLook(slug, look),
      onStep: (explainer) => {
        stage.showHotspot(explainer?.part ?? null);
        if (explainer) this.speaker.speak(`${localized(explainer.title)}. ${localized(explainer.text)}`);
      },
      onClose: () => this.closeInspector(),
    });
    const help = el("p", { class: "help" }, t("product.inspectHelp"));
    this.inspector.replaceChildren(this.inspectPanel.element, help);
    this.inspector.hidden = false;
    stage.showHotspot(this.inspectPanel.currentExplainer?.part ?? null);
    this.inspectPanel.focus();
  }

  closeInspector(): void {
    this.stage?.endInspect();
    this.inspectPanel = null;
    this.inspector.hidden = true;
    this.inspector.replaceChildren();
  }

  // ------------------------------------------------------------ the rest

  private connectionChanged(state: ConnState): void {
    this.toolbar.setConnection(state);
    document.body.dataset.connection = state;
    this.voice.connectionChanged(state === "online");
    if (state === "reconnecting" || state === "offline") this.conversation.onReconnecting();
  }

  private changeLocale(next: Locale): void {
    setLocale(next);
    localStorage.setItem(LOCALE_KEY, next);
    document.documentElement.lang = next;
    this.toolbar.relabel();
    this.chat.relabel();
    this.conversation.survey.render();
    this.signIn?.relabel();
    this.plain.relabel();
    this.suggestions.relabel();
    this.inspectPanel?.relabel();
    this.avatarChooser.relabel();
    this.stage?.relabel();
    const help = this.stageBox.querySelector(".help");
    if (help) help.textContent = t("ui.help");
    this.peopleKey = "";
    this.renderPeople();
  }

  private async toggleVr(): Promise<void> {
    const stage = this.stage;
    if (!stage) return;
    if (stage.inVr) stage.exitVr();
    else await stage.enterVr();
    this.toolbar.setVr(this.vrAvailable, stage.inVr);
  }

  frameStats(): { intervalMs: number; workMs: number; samples: number } {
    const n = Math.min(this.frameCount, FRAME_SAMPLES);
    return { intervalMs: median(this.frameIntervals, Math.max(0, n - 1)), workMs: median(this.frameWork, n), samples: n };
  }

  leave(): void {
    this.connection.send({ t: "leave" });
    this.connection.stop();
  }

  /** Back from the back/forward cache: its resume token was given up on leaving, so
   * the server answers `resume_failed` and the connection joins afresh. */
  comeBack(): void {
    this.connection.start();
  }

  /** The page is going away: the socket may die before its `leave` is out, so the
   * leave also goes as a beacon, which the browser delivers after the page is gone. */
  leaveForGood(): void {
    const token = this.connection.resumeToken;
    if (token && typeof navigator.sendBeacon === "function") {
      navigator.sendBeacon("/api/world/leave", new Blob([JSON.stringify({ token })], { type: "application/json" }));
    }
    this.leave();
  }

  dispose(): void {
    this.connection.stop();
    this.privacy.dispose();
    this.detachControls?.();
    this.stage?.dispose();
    if (this.plainTimer !== null) window.clearInterval(this.plainTimer);
  }
}

function storedQuality(): string | null {
  try {
    return localStorage.getItem(QUALITY_KEY);
  } catch {
    return null;
  }
}

function badgeKey(badge: string): "badge.customer" | "badge.advisor" | "badge.bot" {
  return badge === "bot" ? "badge.bot" : badge === "advisor" ? "badge.advisor" : "badge.customer";
}

export async function boot(root: HTMLElement, slug: string): Promise<App | null> {
  const params = new URLSearchParams(location.search);
  const stored = localStorage.getItem(LOCALE_KEY);
  const lang = params.get("lang");
  setLocale(pickLocale(navigator.languages ?? [navigator.language], isLocale(lang) ? lang : stored));
  document.documentElement.lang = locale();
  root.replaceChildren(el("p", { class: "loading", role: "status" }, t("loading")));
  // Brand and session are fetched together.
  const session = openSession(slug, locale());
  session.catch(() => undefined);
  const brandRequest = fetchBrand(slug);
  brandRequest.catch(() => undefined);
  // The WebGL context (and with it the GPU process) starts while both requests are out.
  const tier = storedQuality();
  const gl = createGlCanvas(TIERS[initialQuality(tier, 1).tier].antialias, TIERS[initialQuality(tier, 1, true).tier].antialias);
  performance.mark("vitrina:webgl");
  let brand: Brand;
  try {
    brand = await brandRequest;
  } catch {
    root.replaceChildren(el("p", { role: "alert" }, t("unavailable")));
    return null;
  }
  performance.mark("vitrina:brand");
  document.title = `${brand.name} · Vitrina`;
  const wanted = params.get("mode") ?? localStorage.getItem(MODE_KEY);
  const app = new App(root, brand, wanted === "2d" || wanted === "3d" ? wanted : null, params.get("zone"), gl);
  // Closing the tab or leaving the page says `leave` first, so the server removes the
  // avatar at once instead of keeping it for the reconnection grace period.
  window.addEventListener("pagehide", () => app.leaveForGood());
  // A page kept in the back/forward cache comes back without its socket: join again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) app.comeBack();
  });
  await app.start(session);
  const slugParam = params.get("product");
  if (slugParam) {
    if (app.mode === "3d") app.openProduct(slugParam);
    else {
      const product = app.products.find((p) => p.slug === slugParam);
      if (product) app.plain.open(product);
    }
  }
  document.title = `${localized(brand.name)} · Vitrina`;
  return app;
}
