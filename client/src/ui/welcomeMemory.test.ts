import { describe, expect, it } from "vitest";
import { WelcomeMemory, type Line } from "./welcomeMemory";

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const guide = (text: string): Line => ({ name: "Aurora", badge: "bot", text, self: false });
const me = (text: string): Line => ({ name: "Guest", badge: "customer", text, self: true });

describe("the greeter's welcome across a reload", () => {
  it("is remembered from the first guide line and put back before the transcript", () => {
    const store = new MemoryStorage();
    const first = new WelcomeMemory("aurora-motors", store);
    first.seen(guide("Welcome to Aurora Motors!"), 0);
    first.seen(me("hello"), 0);
    first.seen(guide("Hello, how can I help?"), 0);

    const reloaded = new WelcomeMemory("aurora-motors", store);
    const lines = reloaded.withWelcome([me("hello"), guide("Hello, how can I help?")], []);
    expect(lines.map((l) => l.text)).toEqual(["Welcome to Aurora Motors!", "hello", "Hello, how can I help?"]);
  });

  it("shows the welcome alone when the visitor never wrote (no conversation on the server)", () => {
    const store = new MemoryStorage();
    new WelcomeMemory("aurora-motors", store).seen(guide("Bienvenue !"), 0);
    expect(new WelcomeMemory("aurora-motors", store).withWelcome([], []).map((l) => l.text)).toEqual(["Bienvenue !"]);
  });

  it("is not doubled when the greeter says it again live, and is kept per brand", () => {
    const store = new MemoryStorage();
    new WelcomeMemory("aurora-motors", store).seen(guide("Welcome!"), 0);
    expect(new WelcomeMemory("aurora-motors", store).withWelcome([], ["Welcome!"])).toEqual([]);
    expect(new WelcomeMemory("other-brand", store).withWelcome([], [])).toEqual([]);
  });

  it("does not take an answer for the welcome once the visitor spoke or a transcript was restored", () => {
    const store = new MemoryStorage();
    const memory = new WelcomeMemory("aurora-motors", store);
    memory.seen(guide("The showroom opens at 9."), 3);
    memory.seen(me("thanks"), 0);
    memory.seen(guide("You're welcome."), 0);
    expect(memory.recall()).toBeNull();
  });

  it("works without storage (blocked by the browser)", () => {
    const memory = new WelcomeMemory("aurora-motors", null);
    memory.seen(guide("Welcome!"), 0);
    expect(memory.withWelcome([me("hi")], []).map((l) => l.text)).toEqual(["hi"]);
  });
});
