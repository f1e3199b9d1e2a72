import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../console/api";
import { deferred, type Deferred } from "../testing/deferred";
import type { FakeElement } from "../testing/fakeDom";
import { staffApi, type Agenda, type Resource } from "./api";
import { AgendaView } from "./agenda";
import { ResourcesView } from "./resources";
import { setLocale } from "../console/strings";

vi.mock("../ui/dom", () => import("../testing/fakeDom"));
vi.mock("./api", () => ({ staffApi: { resources: vi.fn(), agenda: vi.fn() } }));

const screen = (view: { element: HTMLElement }) => view.element as unknown as FakeElement;

function resource(brand: string, name: string): Resource {
  return {
    id: `${brand}-${name}`,
    brand_slug: brand,
    kind: "advisor",
    name,
    skills: [],
    timezone: "Europe/Rome",
    weekly_hours: { mon: [["09:00", "17:00"]] },
    exceptions: [],
    buffer_before_min: 0,
    buffer_after_min: 0,
    active: true,
  };
}

function agenda(brand: string, day: string): Agenda {
  return { brand_slug: brand, day, timezone: "Europe/Rome", appointments: [] };
}

/** The answers the server has not sent yet, by what was asked for. */
let resourceAnswers: Map<string, Deferred<Resource[]>>;
let agendaAnswers: Map<string, Deferred<Agenda>>;

beforeEach(() => {
  resourceAnswers = new Map();
  agendaAnswers = new Map();
  vi.mocked(staffApi.resources).mockImplementation((brand) => {
    const answer = deferred<Resource[]>();
    resourceAnswers.set(brand, answer);
    return answer.promise;
  });
  vi.mocked(staffApi.agenda).mockImplementation((brand, day) => {
    const answer = deferred<Agenda>();
    agendaAnswers.set(`${brand} ${day}`, answer);
    return answer.promise;
  });
});

describe("Resources tab, switching brand quickly", () => {
  const shownNames = (view: ResourcesView) => screen(view).all("data-resource").map((row) => row.getAttribute("data-resource"));
  const statusOf = (view: ResourcesView) => screen(view).all("data-testid", "resources-status")[0].textContent;
  /** The tab loads Aurora's resources, then the staff member picks Boreal before the answer. */
  const showAuroraThenBoreal = () => {
    let brand = "aurora";
    const view = new ResourcesView(() => brand);
    const first = view.show();
    brand = "boreal";
    return { view, first, second: view.show() };
  };

  it("shows the selected brand's resources when the previous brand's answer comes last", async () => {
    const { view, first, second } = showAuroraThenBoreal();
    resourceAnswers.get("boreal")!.resolve([resource("boreal", "Bea")]);
    await second;
    resourceAnswers.get("aurora")!.resolve([resource("aurora", "Ada")]);
    await first;
    expect(shownNames(view)).toEqual(["Bea"]);
  });

  it("does not report the previous brand's failure", async () => {
    const { view, first, second } = showAuroraThenBoreal();
    resourceAnswers.get("boreal")!.resolve([resource("boreal", "Bea")]);
    resourceAnswers.get("aurora")!.reject(new ApiError(503, "unavailable", "Aurora is unavailable."));
    await Promise.all([first, second]);
    expect(shownNames(view)).toEqual(["Bea"]);
    expect(statusOf(view)).toBe("");
  });

  it("reports the selected brand's failure", async () => {
    const { view, first, second } = showAuroraThenBoreal();
    resourceAnswers.get("aurora")!.resolve([resource("aurora", "Ada")]);
    resourceAnswers.get("boreal")!.reject(new ApiError(503, "unavailable", "Boreal is unavailable."));
    await Promise.all([first, second]);
    expect(shownNames(view)).toEqual([]);
    expect(statusOf(view)).toBe("Boreal is unavailable.");
  });
});

describe("Agenda tab, moving between days quickly", () => {
  const titleOf = (view: AgendaView) => screen(view).all("data-testid", "agenda-title")[0].textContent;

  it("shows the day last asked for when the day before answers last", async () => {
    const view = new AgendaView(() => "aurora");
    const first = view.show("2026-12-04");
    const next = screen(view).all("data-testid", "agenda-next")[0];
    next.dispatch("click");
    agendaAnswers.get("aurora 2026-12-05")!.resolve(agenda("aurora", "2026-12-05"));
    await vi.waitFor(() => expect(titleOf(view)).toContain("5 December 2026"));
    agendaAnswers.get("aurora 2026-12-04")!.resolve(agenda("aurora", "2026-12-04"));
    await first;
    expect(titleOf(view)).toContain("5 December 2026");
  });

  it("shows the selected brand's day when the previous brand's answer comes last", async () => {
    let brand = "aurora";
    const view = new AgendaView(() => brand);
    const first = view.show("2026-12-04");
    brand = "boreal";
    const second = view.show();
    agendaAnswers.get("boreal 2026-12-04")!.resolve({ ...agenda("boreal", "2026-12-04"), timezone: "America/New_York" });
    await second;
    agendaAnswers.get("aurora 2026-12-04")!.resolve(agenda("aurora", "2026-12-04"));
    await first;
    expect(titleOf(view)).toContain("America/New_York");
  });
});

describe("the tabs in the advisor's language", () => {
  afterEach(() => setLocale("en"));

  it("draw the resources and the open form again in French, keeping what was typed", async () => {
    const view = new ResourcesView(() => "aurora");
    const shown = view.show();
    resourceAnswers.get("aurora")!.resolve([{ ...resource("aurora", "Ada"), weekly_hours: { sat: [["09:00", "12:00"]] } }]);
    await shown;
    const row = () => screen(view).all("data-resource", "Ada")[0].textContent;
    expect(row()).toContain("sat 09:00-12:00");
    expect(row()).toContain("yes");
    screen(view).all("data-testid", "resource-edit")[0].dispatch("click");
    const sat = () => screen(view).all("data-testid", "hours-sat")[0];
    sat().value = "10:00-11:00";
    setLocale("fr");
    view.relabel();
    expect(row()).toContain("sam 09:00-12:00");
    expect(row()).toContain("oui");
    expect(screen(view).all("data-testid", "resource-form")[0].getAttribute("aria-label")).toBe("Modifier Ada");
    expect(sat().value).toBe("10:00-11:00");
  });

  it("translate the agenda's buttons, title and failure", async () => {
    const view = new AgendaView(() => "aurora");
    const shown = view.show("2026-12-04");
    agendaAnswers.get("aurora 2026-12-04")!.reject(new Error("offline"));
    await shown;
    const text = () => screen(view).textContent;
    expect(text()).toContain("The agenda could not be loaded.");
    setLocale("it");
    view.relabel();
    expect(text()).toContain("Giorno successivo →");
    expect(text()).toContain("Impossibile caricare l'agenda.");
    const next = view.show("2026-12-05");
    agendaAnswers.get("aurora 2026-12-05")!.resolve(agenda("aurora", "2026-12-05"));
    await next;
    expect(screen(view).all("data-testid", "agenda-title")[0].textContent).toContain("5 dicembre 2026");
    expect(text()).toContain("Nessun appuntamento in questo giorno.");
  });
});
