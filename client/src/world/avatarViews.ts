/**
 * Role colours and name-tag painting, shared by the crowd's name tags and the chat.
 * (The avatars themselves are drawn by crowd.ts from humanoid.ts.)
 */

export const ROLE_COLORS: Readonly<Record<string, string>> = {
  customer: "#2f80ed",
  advisor: "#1e9e6a",
  bot: "#8e44ad",
};

export function roleColor(badge: string): string {
  return ROLE_COLORS[badge] ?? ROLE_COLORS.customer;
}

export const LABEL_WIDTH = 256;
export const LABEL_HEIGHT = 64;

/** Paints a LABEL_WIDTH x LABEL_HEIGHT label at (x, y) with fillText: text is painted, never parsed. */
export function paintLabel(g: CanvasRenderingContext2D, x: number, y: number, text: string, background: string, foreground = "#ffffff"): void {
  g.clearRect(x, y, LABEL_WIDTH, LABEL_HEIGHT);
  g.fillStyle = background;
  g.beginPath();
  g.roundRect(x + 2, y + 2, LABEL_WIDTH - 4, LABEL_HEIGHT - 4, 18);
  g.fill();
  g.fillStyle = foreground;
  g.font = "600 30px system-ui, sans-serif";
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(text.length > 18 ? `${text.slice(0, 17)}…` : text, x + LABEL_WIDTH / 2, y + 33, LABEL_WIDTH - 16);
}
