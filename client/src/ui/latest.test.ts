import { describe, expect, it } from "vitest";
import { deferred, type Deferred } from "../testing/deferred";
import { Latest } from "./latest";

/** A view reduced to what the user sees: what it shows, or the error it reports. */
class BrandView {
  shown = "";
  error = "";
  private readonly loads = new Latest();

  constructor(private readonly fetch: (brand: string) => Promise<string>) {}

  async show(brand: string): Promise<void> {
    const stillNewest = this.loads.begin();
    try {
      const answer = await this.fetch(brand);
      if (stillNewest()) this.shown = answer;
    } catch (error) {
      if (stillNewest()) this.error = String(error);
    }
  }
}

function viewWithAnswers(): { view: BrandView; answers: Map<string, Deferred<string>> } {
  const answers = new Map<string, Deferred<string>>();
  const view = new BrandView((brand) => {
    const answer = deferred<string>();
    answers.set(brand, answer);
    return answer.promise;
  });
  return { view, answers };
}

describe("Latest: only the newest call reaches the screen", () => {
  it("keeps the second call's result when the first one answers last", async () => {
    const { view, answers } = viewWithAnswers();
    const first = view.show("aurora");
    const second = view.show("boreal");
    answers.get("boreal")!.resolve("boreal resources");
    await second;
    answers.get("aurora")!.resolve("aurora resources");
    await first;
    expect(view.shown).toBe("boreal resources");
  });

  it("ignores the error of a call that was overtaken", async () => {
    const { view, answers } = viewWithAnswers();
    const first = view.show("aurora");
    const second = view.show("boreal");
    answers.get("boreal")!.resolve("boreal resources");
    answers.get("aurora")!.reject(new Error("aurora timed out"));
    await Promise.all([first, second]);
    expect(view.shown).toBe("boreal resources");
    expect(view.error).toBe("");
  });

  it("reports the error of the newest call", async () => {
    const { view, answers } = viewWithAnswers();
    const first = view.show("aurora");
    const second = view.show("boreal");
    answers.get("aurora")!.resolve("aurora resources");
    answers.get("boreal")!.reject(new Error("boreal timed out"));
    await Promise.all([first, second]);
    expect(view.shown).toBe("");
    expect(view.error).toBe("Error: boreal timed out");
  });

  it("lets a call that nothing overtook through, however late it answers", async () => {
    const { view, answers } = viewWithAnswers();
    const only = view.show("aurora");
    answers.get("aurora")!.resolve("aurora resources");
    await only;
    expect(view.shown).toBe("aurora resources");
  });

  it("drops the calls in flight when told they no longer apply", () => {
    const latest = new Latest();
    const inFlight = latest.begin();
    latest.discard();
    expect(inFlight()).toBe(false);
    expect(latest.begin()()).toBe(true);
  });
});
