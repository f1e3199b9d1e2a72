/**
 * Bot and advisor lines read aloud with the browser's speech synthesis, when the
 * customer turned sound on: the same words shown in the bubble and the chat.
 */

import { locale } from "./i18n";

const VOICE_LANG: Record<string, string> = { en: "en-GB", fr: "fr-FR", it: "it-IT" };
const SPOKEN_BADGES = new Set(["bot", "advisor"]);

export class Speaker {
  enabled = false;
  spoken = 0;

  get available(): boolean {
    return typeof window !== "undefined" && "speechSynthesis" in window;
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on && this.available) window.speechSynthesis.cancel();
  }

  /** Speaks `text` if sound is on and the speaker is the bot or an advisor. */
  maybeSpeak(badge: string, text: string): boolean {
    if (!SPOKEN_BADGES.has(badge)) return false;
    return this.speak(text);
  }

  /** Speaks `text` (an explainer step, say) if sound is on. */
  speak(text: string): boolean {
    if (!this.enabled || !this.available || !text) return false;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = VOICE_LANG[locale()] ?? "en-GB";
    window.speechSynthesis.speak(utterance);
    this.spoken += 1;
    return true;
  }
}
