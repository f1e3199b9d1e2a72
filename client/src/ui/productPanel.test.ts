import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseProduct, quote, saveConfiguration, type Quote } from "../api/catalog";
import { deferred, type Deferred } from "../testing/deferred";
import type { FakeElement } from "../testing/fakeDom";
import { ProductPanel } from "./productPanel";

vi.mock("./dom", () => import("../testing/fakeDom"));
vi.mock("../api/catalog", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api/catalog")>()),
  quote: vi.fn(),
  saveConfiguration: vi.fn(),
}));

const car = parseProduct({
  slug: "aurora-e1",
  name: { en: "Aurora E1" },
  base_price: { amount: "34900.00", currency: "EUR" },
  default_option_ids: ["white"],
  option_groups: [
    { id: "paint", name: { en: "Paint" }, min_choices: 1, max_choices: 1, options: [
      { id: "white", name: { en: "White" }, price_delta: { amount: "0.00", currency: "EUR" } },
      { id: "red", name: { en: "Red" }, price_delta: { amount: "1200.00", currency: "EUR" } },
    ] },
  ],
});

const priced = (total: string): Quote => ({ valid: true, violations: [], base: "34900.00", options: "0.00", total, currency: "EUR" });

let quotes: Deferred<Quote>[];
let saves: Deferred<string>[];

beforeEach(() => {
  quotes = [];
  saves = [];
  vi.stubGlobal("location", { origin: "https://shop.example" });
  vi.mocked(quote).mockImplementation(() => {
    const answer = deferred<Quote>();
    quotes.push(answer);
    return answer.promise;
  });
  vi.mocked(saveConfiguration).mockImplementation(() => {
    const answer = deferred<string>();
    saves.push(answer);
    return answer.promise;
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const screen = (panel: ProductPanel) => panel.element as unknown as FakeElement;
const shareText = (panel: ProductPanel) => screen(panel).all("class", "share")[0].textContent;
const clickSave = (panel: ProductPanel) => screen(panel).all("data-testid", "save-configuration")[0].dispatch("click");
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("product panel, choosing quickly", () => {
  it("prices the latest choice when the previous choice's quote comes last", async () => {
    const panel = new ProductPanel("aurora", car);
    panel.pick("red");
    quotes[1].resolve(priced("36100.00"));
    await settle();
    quotes[0].resolve(priced("34900.00"));
    await settle();
    expect(panel.lastQuote?.total).toBe("36100.00");
  });

  it("shares the link of the latest save when an earlier save answers last", async () => {
    const panel = new ProductPanel("aurora", car);
    clickSave(panel);
    clickSave(panel);
    saves[1].resolve("cfg-2");
    await settle();
    saves[0].resolve("cfg-1");
    await settle();
    expect(shareText(panel)).toContain("configuration=cfg-2");
  });

  it("does not share a link saved for a choice the customer has since changed", async () => {
    const panel = new ProductPanel("aurora", car);
    clickSave(panel);
    panel.pick("red");
    saves[0].resolve("cfg-white");
    await settle();
    expect(shareText(panel)).toBe("");
  });
});

describe("product panel, a configuration the server refuses", () => {
  it("explains in the customer's language instead of showing the server's code", async () => {
    const { ApiError } = await import("../api/http");
    const { setLocale } = await import("../i18n");
    setLocale("it");
    const panel = new ProductPanel("aurora", car);
    clickSave(panel);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    saves[0].reject(new ApiError(422, "configuration_invalid", "option red needs pack sport"));
    await settle();
    expect(shareText(panel)).toBe("Questa combinazione non è possibile; modifica le opzioni indicate sopra.");
    expect(shareText(panel)).not.toContain("422");
    setLocale("en");
  });
});
