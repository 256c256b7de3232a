// The only door to the controller: every request carries the session's token, so the dashboard can see
// exactly what the REST API lets that token see and nothing more.
import { getToken } from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Called when the server says the token is no longer good (401); main.ts sends the user to the login page.
let onUnauthenticated: (message: string) => void = () => {};
export function setUnauthenticatedHandler(handler: (message: string) => void): void {
  onUnauthenticated = handler;
}

export const API_BASE = 'api/v1';

export function apiUrl(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    }
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): keep the status line.
  }
  return new ApiError(response.status, code, message);
}

export async function request(
  method: string,
  path: string,
  options: { query?: Record<string, string | number | boolean | undefined>; body?: unknown; token?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const token = options.token ?? getToken();
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'UNAVAILABLE', 'the controller cannot be reached');
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && options.token === undefined) onUnauthenticated(error.message);
    throw error;
  }
  return response;
}

export async function getJson<T>(
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  const response = await request('GET', path, { query, signal });
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await request('POST', path, { body });
  return (await response.json()) as T;
}
