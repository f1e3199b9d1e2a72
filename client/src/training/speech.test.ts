import { describe, expect, it } from "vitest";
import { heardPhrases, recogniser } from "./speech";

describe("speech recognition", () => {
  it("is found under its standard or prefixed name, or not at all", () => {
    class Standard {}
    class Prefixed {}
    expect(recogniser({ SpeechRecognition: Standard, webkitSpeechRecognition: Prefixed })).toBe(Standard);
    expect(recogniser({ webkitSpeechRecognition: Prefixed })).toBe(Prefixed);
    expect(recogniser({})).toBeNull();
  });

  it("takes the final phrases from the first new result on", () => {
    const result = (transcript: string, isFinal: boolean) => Object.assign([{ transcript }], { isFinal });
    const event = {
      resultIndex: 1,
      results: [result("already sent", true), result(" Good morning ", true), result("half a", false), result("  ", true)],
    };
    expect(heardPhrases(event)).toEqual(["Good morning"]);
    expect(heardPhrases({ results: [[{ transcript: "hello" }]] })).toEqual(["hello"]);
  });
});
