/**
 * Keeps the chat panel in step with the server's copy of the conversation.
 *
 * The world socket only carries what is said while the page is connected. After a reload
 * or a reconnection the transcript is read back from the server (the conversation lives
 * there, whichever channel it came through), and after an advisor resolved it the rating
 * control is offered until the customer answers, by the control or by typing a number.
 */

import { fetchCurrent, historyLines, sendRating, type CurrentConversation } from "../api/conversation";
import { t } from "../i18n";
import type { ChatPanel } from "./chat";
import { SurveyForm } from "./survey";
import { WelcomeMemory, type Line } from "./welcomeMemory";

const CHECK_DELAY_MS = 700;

export class ConversationSync {
  readonly survey: SurveyForm;
  private restored = false;
  private restoredLines = 0;
  private readonly welcome: WelcomeMemory;
  private needed = true;
  private timer: number | null = null;

  constructor(
    private readonly brand: string,
    private readonly chat: ChatPanel,
    private readonly read: (brand: string) => Promise<CurrentConversation> = fetchCurrent,
    rate: (id: string, score: number, comment: string) => Promise<unknown> = sendRating,
  ) {
    this.survey = new SurveyForm(async (id, score, comment) => {
      await rate(id, score, comment);
    });
    chat.log.after(this.survey.element);
    this.welcome = new WelcomeMemory(brand);
  }

  /** The connection dropped: lines may be missed until it is back. */
  onReconnecting(): void {
    this.needed = true;
  }

  /** A `welcome`: on the first one and after a reconnection, read the transcript back. */
  onWelcome(): void {
    if (!this.needed) return;
    this.needed = false;
    void this.restore(this.restored);
  }

  /** A line shown live; when someone else spoke, the conversation may just have been resolved. */
  onLine(line: Line): void {
    this.welcome.seen(line, this.restoredLines);
    if (line.self) return;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      this.timer = null;
      void this.check();
    }, CHECK_DELAY_MS);
  }

  private async restore(replace: boolean): Promise<void> {
    const current = await this.fetch();
    if (!current) return;
    this.restored = true;
    const lines = current.conversation ? historyLines(current.conversation.messages, t("badge.bot")) : [];
    this.restoredLines = lines.length;
    const live = replace ? [] : this.chat.liveTexts();
    const shown = this.welcome.withWelcome(lines, live);
    if (shown.length || replace) this.chat.restore(shown, replace);
    this.offer(current);
  }

  private async check(): Promise<void> {
    const current = await this.fetch();
    if (current) this.offer(current);
  }

  private offer(current: CurrentConversation): void {
    this.survey.offer(current.survey_pending && current.conversation ? current.conversation.id : null);
  }

  private async fetch(): Promise<CurrentConversation | null> {
    try {
      return await this.read(this.brand);
    } catch (error) {
      console.warn("conversation read failed", error);
      return null;
    }
  }
}
