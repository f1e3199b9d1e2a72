/** The privacy and signal endpoints, with an injectable fetch so the logic is testable. */

export type Purpose = "essential" | "analytics" | "personalisation" | "gaze_dwell" | "marketing";
export const OPTIONAL_PURPOSES: readonly Purpose[] = [
  "analytics",
  "personalisation",
  "gaze_dwell",
  "marketing",
];
export type Channel = "storefront_3d" | "storefront_2d" | "privacy_centre" | "agent" | "api";

export interface PurposeText {
  purpose: Purpose;
  version: number;
  required: boolean;
  locale: string;
  title: string;
  body: string;
  texts: Record<string, { title: string; body: string }>;
}

export interface ConsentStatus {
  purpose: Purpose;
  granted: boolean;
  in_force: boolean;
  text_version: number | null;
  current_version: number;
  recorded_at: string | null;
}

export interface ConsentState {
  subject: string;
  prompt_needed: boolean;
  purposes: ConsentStatus[];
}

export interface ConsentRecord {
  purpose: Purpose;
  granted: boolean;
  text_version: number;
  channel: string;
  recorded_at: string;
}

export interface PrivacyRequest {
  id: string;
  kind: "access" | "erasure";
  status: "review" | "pending" | "running" | "done" | "failed";
  progress: number;
  step: string;
  due_at: string;
  completed_at: string | null;
  archive_bytes: number | null;
}

/** Where a visitor's erasure stands (GET .../erasure). */
export interface ErasureStatus {
  session_request: PrivacyRequest | null;
  customer_request: PrivacyRequest | null;
  legal_holds: string[];
}

export type SignalType = "dwell" | "gaze" | "click" | "view";

export interface Signal {
  type: SignalType;
  product: string;
  part?: string;
  at: string;
  duration_ms?: number;
  ray?: { origin: [number, number, number]; direction: [number, number, number] };
}

export interface IngestResult {
  accepted: number;
  rejected: Record<string, number>;
}

export class PrivacyApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

function cookieCsrf(): string {
  if (typeof document === "undefined") return "";
  const match = /(?:^|;\s*)vitrina_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : "";
}

export class PrivacyApi {
  constructor(
    readonly brand: string,
    private readonly fetchFn: FetchFn = (url, init) => fetch(url, init),
    private readonly csrf: () => string = cookieCsrf,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = this.csrf();
    const response = await this.fetchFn(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok) {
      let code = "http_error";
      let detail = response.statusText;
      try {
        const problem = (await response.json()) as { code?: string; detail?: string };
        code = problem.code ?? code;
        detail = problem.detail ?? detail;
      } catch {
        // not problem+json
      }
      throw new PrivacyApiError(response.status, code, detail);
    }
    return (await response.json()) as T;
  }

  private get base(): string {
    return `/api/privacy/brands/${encodeURIComponent(this.brand)}`;
  }

  purposes(locale: string): Promise<PurposeText[]> {
    return this.call("GET", `${this.base}/purposes?locale=${encodeURIComponent(locale)}`);
  }

  consents(): Promise<ConsentState> {
    return this.call("GET", `${this.base}/consents`);
  }

  setConsents(choices: Partial<Record<Purpose, boolean>>, channel: Channel): Promise<ConsentState> {
    return this.call("PUT", `${this.base}/consents`, { choices, channel });
  }

  history(): Promise<ConsentRecord[]> {
    return this.call("GET", `${this.base}/consents/history`);
  }

  fileRequest(kind: "access" | "erasure"): Promise<PrivacyRequest> {
    return this.call("POST", `${this.base}/requests`, { kind });
  }

  erasure(): Promise<ErasureStatus> {
    return this.call("GET", `${this.base}/erasure`);
  }

  requests(): Promise<PrivacyRequest[]> {
    return this.call("GET", `${this.base}/requests`);
  }

  request(id: string): Promise<PrivacyRequest> {
    return this.call("GET", `/api/privacy/requests/${encodeURIComponent(id)}`);
  }

  downloadUrl(id: string): string {
    return `/api/privacy/requests/${encodeURIComponent(id)}/download`;
  }

  sendSignals(events: Signal[]): Promise<IngestResult> {
    return this.call("POST", "/api/insights/signals", { brand: this.brand, events });
  }
}
