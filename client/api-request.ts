// The JSON HTTP call every client request goes through: one error type carrying the server's error code.

import { parseErrorReply } from '../server/core/http-api.ts';

/** A failed API call: the server's error `code` (or `network`, `bad_response`, `http_<status>`), its message and status. */
export class ApiError extends Error {
  readonly code: string;
  /** The HTTP status, or 0 when the server could not be reached. */
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * Sends a request and returns its parsed JSON body (`null` for 204 No Content).
 * @throws ApiError for network failures, unreadable replies and HTTP errors (with the server's `{error:{code,message}}`).
 */
export async function requestJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch (error) {
    // A request cancelled on purpose is not a network failure; the caller knows why it stopped.
    if (init.signal?.aborted) throw error;
    throw new ApiError('network', 'The server could not be reached.', 0);
  }
  if (response.status === 204) return null;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(response.ok ? 'bad_response' : `http_${response.status}`, `The server sent an unreadable reply (HTTP ${response.status}).`, response.status);
  }
  if (!response.ok) {
    const error = parseErrorReply(body);
    throw new ApiError(error?.code || `http_${response.status}`, error?.message || `The server answered HTTP ${response.status}.`, response.status);
  }
  return body;
}

/**
 * A successful body read by one of the API's parsers.
 * @throws ApiError `bad_response` when the body is not of the expected shape.
 */
export function parsedJson<T>(body: unknown, parse: (value: unknown) => T): T {
  try {
    return parse(body);
  } catch (error) {
    throw new ApiError('bad_response', error instanceof Error ? `The server replied in an unexpected shape: ${error.message}.` : 'The server replied in an unexpected shape.', 200);
  }
}
