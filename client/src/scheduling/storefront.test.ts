import { beforeEach, describe, expect, it, vi } from "vitest";
import { appointment } from "../testing/appointments";
import { deferred, type Deferred } from "../testing/deferred";
import type { FakeElement } from "../testing/fakeDom";
import { customerApi, type Appointment } from "./api";
import { AppointmentList } from "./storefront";

vi.mock("../ui/dom", () => import("../testing/fakeDom"));
vi.mock("./api", () => ({ customerApi: { mine: vi.fn() } }));

/** The answers to "my appointments" not sent yet, in the order they were asked for. */
let answers: Deferred<Appointment[]>[];

beforeEach(() => {
  answers = [];
  vi.mocked(customerApi.mine).mockImplementation(() => {
    const answer = deferred<Appointment[]>();
    answers.push(answer);
    return answer.promise;
  });
});

describe("My appointments, refreshed twice in a row", () => {
  const shownIds = (list: AppointmentList) => (list.element as unknown as FakeElement).all("data-testid", "appointment").map((item) => item.getAttribute("data-id"));

  it("keeps the list from after a cancellation when the answer from before it comes last", async () => {
    const list = new AppointmentList("aurora", "appointments-2d", () => undefined);
    const before = list.refresh();
    const after = list.refresh();
    answers[1].resolve([]);
    await after;
    answers[0].resolve([appointment("a1", "2099-03-02T09:00:00Z")]);
    await before;
    expect(shownIds(list)).toEqual([]);
  });

  it("does not say loading failed when only the earlier refresh failed", async () => {
    const list = new AppointmentList("aurora", "appointments-2d", () => undefined);
    const before = list.refresh();
    const after = list.refresh();
    answers[1].resolve([appointment("a1", "2099-03-02T09:00:00Z")]);
    answers[0].reject(new Error("offline"));
    await Promise.all([before, after]);
    expect(shownIds(list)).toEqual(["a1"]);
    expect(list.element.textContent).not.toContain("could not be loaded");
  });

  it("says loading failed when the latest refresh failed", async () => {
    const list = new AppointmentList("aurora", "appointments-2d", () => undefined);
    const before = list.refresh();
    const after = list.refresh();
    answers[0].resolve([appointment("a1", "2099-03-02T09:00:00Z")]);
    answers[1].reject(new Error("offline"));
    await Promise.all([before, after]);
    expect(shownIds(list)).toEqual([]);
    expect(list.element.textContent).toContain("could not be loaded");
  });
});
