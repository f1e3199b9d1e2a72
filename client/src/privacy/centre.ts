/**
 * The Privacy centre: change any choice at any time, see the history of choices,
 * download a copy of one's data (prepared in the background, with progress) or erase it.
 */

import { el, clear } from "../ui/dom";
import { Latest } from "../ui/latest";
import { PrivacyApi, type ConsentRecord, type ConsentState, type PrivacyRequest, type Purpose } from "./api";
import { explainErasure } from "./erasureNote";
import { currentChoices, inForce } from "./model";
import { purposeForm } from "./prompt";
import { pt } from "./strings";

export interface CentreOptions {
  brand: string;
  locale: string;
  onChange?: (allowed: Set<Purpose>, state: ConsentState) => void;
  api?: PrivacyApi;
  /** How often to poll a running request, in ms. */
  pollMs?: number;
}

export interface CentreHandle {
  readonly element: HTMLElement;
  refresh(): Promise<void>;
  destroy(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function mountPrivacyCentre(
  container: HTMLElement,
  options: CentreOptions,
): Promise<CentreHandle> {
  const api = options.api ?? new PrivacyApi(options.brand);
  const locale = options.locale;
  const pollMs = options.pollMs ?? 500;
  const root = el("section", { class: "vp-centre", "aria-labelledby": "vp-centre-title", "data-testid": "privacy-centre" });
  const choicesBox = el("div", {});
  const status = el("p", { role: "status", "data-testid": "centre-status" });
  const historyList = el("ul", { class: "vp-history", "data-testid": "consent-history" });
  const dataBox = el("div", { "data-testid": "centre-data" });
  root.append(
    el("h2", { id: "vp-centre-title" }, pt(locale, "centre.title")),
    el("h3", {}, pt(locale, "centre.choices")),
    choicesBox,
    status,
    el("h3", {}, pt(locale, "centre.history")),
    historyList,
    el("h3", {}, pt(locale, "centre.yourData")),
    dataBox,
  );
  container.append(root);
  const purposes = await api.purposes(locale);
  const titles = new Map(purposes.map((p) => [p.purpose, p.title]));

  // Each save reads the history again: two quick saves must not end on the older list.
  const historyLoads = new Latest();
  const renderHistory = (records: ConsentRecord[]): void => {
    clear(historyList);
    for (const r of [...records].reverse()) {
      const when = new Date(r.recorded_at).toLocaleString(locale);
      const what = r.granted ? pt(locale, "centre.granted") : pt(locale, "centre.withdrawn");
      historyList.append(el("li", {}, `${when}: ${titles.get(r.purpose) ?? r.purpose}, ${what}`));
    }
  };

  const refresh = async (): Promise<void> => {
    const historyIsNewest = historyLoads.begin();
    const [state, history] = await Promise.all([api.consents(), api.history()]);
    clear(choicesBox);
    choicesBox.append(
      purposeForm(purposes, currentChoices(state), locale, (choices) => {
        void (async () => {
          const next = await api.setConsents(choices, "privacy_centre");
          status.textContent = pt(locale, "centre.saved");
          options.onChange?.(inForce(next), next);
          const savedHistoryIsNewest = historyLoads.begin();
          const saved = await api.history();
          if (savedHistoryIsNewest()) renderHistory(saved);
        })().catch(() => {
          status.textContent = pt(locale, "centre.failed");
        });
      }),
    );
    if (historyIsNewest()) renderHistory(history);
  };

  const follow = async (req: PrivacyRequest, progress: HTMLProgressElement): Promise<PrivacyRequest> => {
    let current = req;
    while (current.status === "pending" || current.status === "running") {
      progress.value = current.progress;
      await sleep(pollMs);
      current = await api.request(current.id);
    }
    progress.value = 1;
    return current;
  };

  const download = el("button", { type: "button", class: "vp-btn", "data-testid": "centre-download" }, pt(locale, "centre.download"));
  const erase = el("button", { type: "button", class: "vp-btn", "data-testid": "centre-erase" }, pt(locale, "centre.erase"));
  const confirmErase = el("button", { type: "button", class: "vp-btn vp-danger", hidden: true, "data-testid": "centre-erase-confirm" }, pt(locale, "centre.eraseConfirm"));
  const outcome = el("p", { role: "status", "data-testid": "centre-outcome" });
  const progress = el("progress", { max: 1, value: 0, hidden: true, "data-testid": "centre-progress" });
  dataBox.append(el("div", { class: "vp-actions" }, download, erase), confirmErase, progress, outcome);

  download.addEventListener("click", () => {
    void (async () => {
      download.disabled = true;
      progress.hidden = false;
      outcome.textContent = pt(locale, "centre.preparing");
      const done = await follow(await api.fileRequest("access"), progress);
      clear(outcome);
      if (done.status === "done") {
        outcome.append(
          `${pt(locale, "centre.ready")} `,
          el("a", { href: api.downloadUrl(done.id), download: "", "data-testid": "centre-download-link" }, pt(locale, "centre.downloadLink")),
        );
      } else {
        outcome.textContent = pt(locale, "centre.failed");
      }
    })()
      .catch(() => {
        outcome.textContent = pt(locale, "centre.failed");
      })
      .finally(() => {
        download.disabled = false;
      });
  });
  erase.addEventListener("click", () => {
    confirmErase.hidden = false;
    confirmErase.focus();
  });
  confirmErase.addEventListener("click", () => {
    void (async () => {
      confirmErase.hidden = true;
      erase.disabled = download.disabled = true;
      progress.hidden = false;
      outcome.textContent = pt(locale, "centre.erasing");
      const done = await follow(await api.fileRequest("erasure"), progress);
      if (done.status === "done") await explain();
      else outcome.textContent = pt(locale, "centre.failed");
      if (done.status === "done") {
        clear(choicesBox);
        options.onChange?.(new Set<Purpose>(["essential"]), { subject: "", prompt_needed: false, purposes: [] });
      }
    })().catch(() => {
      outcome.textContent = pt(locale, "centre.failed");
    });
  });

  // Said as it is: what went at once, what waits for the DPO and why, and until when.
  const explain = async (): Promise<void> => {
    const lines = explainErasure(locale, await api.erasure());
    clear(outcome);
    outcome.append(...lines.map((line) => el("span", { class: "vp-line" }, line)));
  };

  await refresh();
  // A request left with the DPO is shown whenever the centre opens again.
  void api
    .erasure()
    .then((state) => {
      if (state.customer_request) void explain();
    })
    .catch(() => undefined);
  return { element: root, refresh, destroy: () => root.remove() };
}
