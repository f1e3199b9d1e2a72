/** JSON over HTTP to the Vitrina API, with the CSRF header cookie-authenticated writes need. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

function csrfToken(): string {
  const match = /(?:^|;\s*)vitrina_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : "";
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) {
    let code = "http_error";
    let detail = response.statusText;
    try {
      const problem = (await response.json()) as { code?: string; detail?: string; title?: string };
      code = problem.code ?? code;
      detail = problem.detail ?? problem.title ?? detail;
    } catch {
      // not problem+json: keep the status line
    }
    throw new ApiError(response.status, code, detail);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const getJson = <T>(url: string): Promise<T> => request<T>("GET", url);
export const postJson = <T>(url: string, body: unknown): Promise<T> => request<T>("POST", url, body);

export interface Me {
  kind: "guest" | "staff";
  session_id: string;
  display_name: string;
  roles: string[];
}

/**
 * Makes sure a guest or staff session exists, in one request: the storefront only needs
 * the session's cookies (for the world socket), not its details, which `ensureSession`
 * reads with a second request.
 */
export async function openSession(brand: string, locale: string): Promise<void> {
  if (csrfToken()) {
    try {
      await getJson<Me>("/api/auth/me");
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
    }
  }
  await postJson("/api/auth/guest", { brand_slug: brand, locale });
}

/** The current guest or staff session; starts a guest session when there is none. */
export async function ensureSession(brand: string, locale: string): Promise<Me> {
  // Every session sets the readable CSRF cookie: without it there is none to ask about.
  if (csrfToken()) {
    try {
      return await getJson<Me>("/api/auth/me");
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
    }
  }
  await postJson("/api/auth/guest", { brand_slug: brand, locale });
  return getJson<Me>("/api/auth/me");
}
