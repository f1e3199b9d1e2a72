/**
 * The voice call panel of the storefront (customers, and advisors who joined in the
 * world): who can be called, the incoming call with accept/decline, and during a call
 * the state, mute and hang-up. The same in 3D and 2D; strings follow the locale.
 */

import "./voice.css";
import { onLocaleChange, t, type StringKey } from "../i18n";
import type { OutFrame } from "../net/codec";
import type { ErrorOut, ServerFrame } from "../net/protocol.gen";
import { el } from "../ui/dom";
import { VoiceCall, isCallFrame } from "./call";
import { callable, formatDuration, inCall, type CallView } from "./model";

export interface Person {
  id: number;
  name: string;
  badge: string;
}

const PROBLEMS: Record<string, StringKey> = {
  call_forbidden: "voice.forbidden",
  call_busy: "voice.busy",
  unknown_target: "voice.unavailable",
  microphone: "voice.microphone",
  failed: "voice.failed",
};

export class VoicePanel {
  readonly element: HTMLElement;
  readonly call: VoiceCall;
  private readonly heading: HTMLHeadingElement;
  private readonly status: HTMLParagraphElement;
  private readonly controls: HTMLDivElement;
  private readonly audio: HTMLAudioElement;
  private people: Person[] = [];
  private myBadge = "customer";
  private queue: Promise<void> = Promise.resolve();
  private peopleKey = "";

  private readonly iceServers: RTCIceServer[] = [];

  constructor(send: (frame: OutFrame) => boolean) {
    this.heading = el("h2", { id: "voice-title" });
    this.status = el("p", { class: "voice-status", role: "status", "data-testid": "call-status" });
    this.controls = el("div", { class: "voice-controls" });
    this.audio = el("audio", { autoplay: true, "data-testid": "call-audio" });
    this.element = el("section", { class: "voice", "aria-labelledby": "voice-title", "data-testid": "voice" }, this.heading, this.status, this.controls, this.audio);
    this.call = new VoiceCall({ send, iceServers: this.iceServers, audio: this.audio, onChange: () => this.render() });
    onLocaleChange(() => this.render());
    this.render();
  }

  /** The STUN/TURN servers of the server's `welcome`, used by the next call. */
  setIceServers(servers: readonly { urls: string[]; username?: string | null; credential?: string | null }[]): void {
    this.iceServers.splice(0, this.iceServers.length, ...servers.map((s) => ({ urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined })));
  }

  /** Call frames are handled one after the other: WebRTC steps are asynchronous. */
  onFrame(frame: ServerFrame): boolean {
    if (!isCallFrame(frame)) return false;
    this.queue = this.queue.then(() => this.call.onFrame(frame)).catch((error: unknown) => console.warn("voice:", error));
    return true;
  }

  /** An `error` frame answering a call frame; false when it is about something else. */
  onError(frame: ErrorOut): boolean {
    if (!frame.ref?.startsWith("call_")) return false;
    this.call.refused(frame.code);
    return true;
  }

  connectionChanged(online: boolean): void {
    if (!online) this.call.disconnected();
  }

  setPeople(myBadge: string, people: readonly Person[]): void {
    const key = `${myBadge}|${people.map((p) => `${p.id}:${p.name}:${p.badge}`).join("|")}`;
    if (key === this.peopleKey) return;
    this.peopleKey = key;
    this.myBadge = myBadge;
    this.people = [...people];
    this.render();
  }

  private render(): void {
    const view = this.call.view;
    this.heading.textContent = t("voice.title");
    this.element.dataset.state = view.phase;
    this.element.dataset.muted = String(view.muted);
    this.status.textContent = statusText(view);
    const buttons: HTMLElement[] = [];
    const call = this.call;
    switch (view.phase) {
      case "ringing":
        buttons.push(this.button(t("voice.accept"), "call-accept", () => void call.accept()));
        buttons.push(this.button(t("voice.decline"), "call-decline", () => call.decline()));
        break;
      case "calling":
        buttons.push(this.button(t("voice.cancel"), "call-hangup", () => call.hangUp()));
        break;
      case "connecting":
      case "connected": {
        const mute = this.button(t(view.muted ? "voice.unmute" : "voice.mute"), "call-mute", () => call.toggleMute());
        mute.setAttribute("aria-pressed", String(view.muted));
        buttons.push(mute, this.button(t("voice.hangUp"), "call-hangup", () => call.hangUp()));
        break;
      }
      default: {
        const others = this.people.filter((p) => callable(this.myBadge, p.badge));
        for (const p of others) buttons.push(this.button(t("voice.call", { name: p.name }), "call-start", () => call.call(p.id)));
        if (!others.length && !view.problem && view.phase === "idle") this.status.textContent = t("voice.none");
      }
    }
    this.controls.replaceChildren(...buttons);
  }

  private button(label: string, testId: string, action: () => void): HTMLButtonElement {
    const button = el("button", { type: "button", "data-testid": testId }, label);
    button.addEventListener("click", action);
    return button;
  }
}

function statusText(view: CallView): string {
  const name = view.peerName;
  const lines: string[] = [];
  if (view.problem) lines.push(t(PROBLEMS[view.problem] ?? "voice.failed"));
  switch (view.phase) {
    case "calling":
      lines.push(t("voice.calling", { name }));
      break;
    case "ringing":
      lines.push(t("voice.ringing", { name }));
      break;
    case "connecting":
      lines.push(t("voice.connecting", { name }));
      break;
    case "connected":
      lines.push(t("voice.connected", { name }));
      break;
    case "ended":
      lines.push(
        view.why === "declined" ? t("voice.declined") : view.why === "no_answer" ? t("voice.noAnswer") : t("voice.ended", { duration: formatDuration(view.duration ?? 0) }),
      );
      break;
    default:
      break;
  }
  if (inCall(view) && view.muted) lines.push(t("voice.muted"));
  if (inCall(view) && view.peerMuted) lines.push(t("voice.peerMuted", { name }));
  return lines.join(" · ");
}
