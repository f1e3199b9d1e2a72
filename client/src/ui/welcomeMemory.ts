/**
 * The greeter's welcome, kept for the tab's visit.
 *
 * The greeter welcomes a visitor once per visit, in the room, before any conversation
 * exists; the server's transcript therefore does not hold it. After a reload the chat is
 * rebuilt from that transcript, so the welcome is remembered in the tab's session
 * storage and put back first.
 */

export interface Line {
  name: string;
  badge: string;
  text: string;
  self: boolean;
}

type SessionStore = Pick<Storage, "getItem" | "setItem">;

export class WelcomeMemory {
  private spoke = false;

  constructor(
    private readonly brand: string,
    private readonly store: SessionStore | null = safeSessionStorage(),
  ) {}

  private get key(): string {
    return `vitrina.welcome.${this.brand}`;
  }

  /** A line shown live: the guide's first line before the visitor said anything is the welcome. */
  seen(line: Line, restoredLines: number): void {
    if (line.self) {
      this.spoke = true;
      return;
    }
    if (line.badge !== "bot" || this.spoke || restoredLines > 0 || this.recall()) return;
    try {
      this.store?.setItem(this.key, JSON.stringify(line));
    } catch {
      // storage full or refused: the welcome is simply not restored
    }
  }

  recall(): Line | null {
    try {
      const raw = this.store?.getItem(this.key);
      if (!raw) return null;
      const line = JSON.parse(raw) as Partial<Line>;
      return typeof line.name === "string" && typeof line.text === "string" && typeof line.badge === "string"
        ? { name: line.name, badge: line.badge, text: line.text, self: false }
        : null;
    } catch {
      return null;
    }
  }

  /** The transcript to show: the welcome first (unless said again live), then the server's lines. */
  withWelcome(lines: readonly Line[], liveTexts: readonly string[]): Line[] {
    const welcome = this.recall();
    if (!welcome || liveTexts.includes(welcome.text) || lines.some((l) => l.text === welcome.text)) return [...lines];
    return [welcome, ...lines];
  }
}

function safeSessionStorage(): SessionStore | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null; // storage blocked by the browser's settings
  }
}
