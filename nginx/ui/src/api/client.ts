// The one way the UI talks to Tracehouse: the public /api/v1 over the login cookie.
// State-changing requests echo the session's CSRF token; every request names the workspace
// in X-Tenant-Id (the workspace in the page URL), exactly as an org-wide API key would.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;

  constructor(status: number, code: string, detail: string) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined | (string | number)[]>;

export interface RequestSpec {
  path: string; // relative to /api/v1, e.g. "/sessions"
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  query?: Query;
  body?: unknown; // JSON-encoded unless it is FormData
}

const session = { csrf: null as string | null, tenant: null as string | null };
const unauthorizedListeners = new Set<() => void>();

// State-changing requests need the session's CSRF token, which arrives with /auth/me. On a cold
// page load a page's first POST (e.g. /runs/query, a read) can fire before that answer: while an
// auth check is on its way, non-GET requests wait for the token instead of failing with 403.
// GETs never wait.
const CSRF_WAIT_MS = 10_000;
let csrfPending: Promise<void> | null = null;
let csrfArrived: () => void = () => {};

/** The token login left in the readable `th_csrf` cookie (double submit), if any. */
function csrfFromCookie(): string | null {
  if (typeof document === "undefined") return null;
  const match = document.cookie.match(/(?:^|;\s*)th_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

/** An auth check has started: writes wait (up to 10 s) until setCsrfToken is called, unless the
 * login cookie already carries the token (the usual case: then nothing waits). */
export function expectCsrfToken(): void {
  session.csrf ??= csrfFromCookie();
  if (csrfPending || session.csrf) return;
  csrfPending = new Promise<void>((resolve) => {
    csrfArrived = resolve;
    setTimeout(resolve, CSRF_WAIT_MS);
  });
}

export function setCsrfToken(token: string | null): void {
  session.csrf = token;
  csrfPending = null;
  csrfArrived();
}

export function setTenant(tenant: string | null): void {
  session.tenant = tenant;
}

export function currentTenant(): string | null {
  return session.tenant;
}

/** Called when the API answers 401: the session expired or was logged out elsewhere. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function buildUrl(path: string, query?: Query): string {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(key, String(v)));
    else url.searchParams.set(key, String(value));
  }
  return url.pathname + url.search;
}

export function requestHeaders(method: string, json: boolean): Headers {
  const headers = new Headers({ Accept: "application/json" });
  if (json) headers.set("Content-Type", "application/json");
  if (session.tenant) headers.set("X-Tenant-Id", session.tenant);
  if (method !== "GET" && session.csrf) headers.set("X-CSRF-Token", session.csrf);
  return headers;
}

/** Turn a non-2xx response into an ApiError with the server's message. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let code = "";
  let detail = response.statusText;
  try {
    const body = await response.json();
    code = String(body.error ?? body.code ?? "");
    detail = String(body.detail ?? body.message ?? detail);
  } catch {
    // nginx's own pages and proxies may answer with HTML; the status says enough.
  }
  if (response.status === 401) unauthorizedListeners.forEach((listener) => listener());
  return new ApiError(response.status, code, detail);
}

/** Send a request and return the raw Response (for streams and downloads); throws ApiError. */
export async function send(spec: RequestSpec, signal?: AbortSignal): Promise<Response> {
  const method = spec.method ?? "GET";
  const form = typeof FormData !== "undefined" && spec.body instanceof FormData;
  const json = spec.body !== undefined && !form;
  if (method !== "GET" && csrfPending) await csrfPending;
  let response: Response;
  try {
    response = await fetch(buildUrl(spec.path, spec.query), {
      method,
      headers: requestHeaders(method, json),
      body: form ? (spec.body as FormData) : json ? JSON.stringify(spec.body) : undefined,
      credentials: "same-origin",
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "cannot reach Tracehouse; check your connection");
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** Send a request and decode its JSON answer. */
export async function api<T>(spec: RequestSpec, signal?: AbortSignal): Promise<T> {
  const response = await send(spec, signal);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
