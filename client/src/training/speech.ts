/** The trainee's replies by voice: the browser's speech recogniser, where it has one. */

/** The part of the Web Speech API's recogniser the console uses. */
export interface Recognition {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  onresult: ((event: RecognitionEvent) => void) | null;
  onerror: ((event: { error?: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}

export interface RecognitionEvent {
  resultIndex?: number;
  results: ArrayLike<ArrayLike<{ transcript: string }> & { isFinal?: boolean }>;
}

export type RecognitionCtor = new () => Recognition;

/** The browser's speech recogniser, where it has one (Chrome's is prefixed). */
export function recogniser(w: object = window): RecognitionCtor | null {
  const found = w as Record<string, RecognitionCtor | undefined>;
  return found.SpeechRecognition ?? found.webkitSpeechRecognition ?? null;
}

/** The final phrases of a recognition event, from its first new result on. */
export function heardPhrases(event: RecognitionEvent): string[] {
  const out: string[] = [];
  for (let i = event.resultIndex ?? 0; i < event.results.length; i++) {
    const result = event.results[i];
    if (result.isFinal === false) continue;
    const text = (result[0]?.transcript ?? "").trim();
    if (text) out.push(text);
  }
  return out;
}
