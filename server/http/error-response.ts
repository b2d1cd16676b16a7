// The one place where an error becomes an HTTP status and body, or a socket `error` frame.

import type { Duplex } from 'node:stream';
import { toAppError, type ErrorCode } from '../core/errors.ts';
import type { ErrorReply } from '../core/http-api.ts';
import type { ErrorFrame, WireErrorCode } from '../core/protocol.ts';
import type { Logger } from '../core/logger.ts';

const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_json: 400,
  bad_request: 400,
  too_long: 413,
  rate_limited: 429,
  not_found: 404,
  bad_origin: 403,
  overloaded: 503,
  unauthorized: 401,
  forbidden: 403,
  duplicate: 409,
  unsupported_type: 415,
  too_large: 413,
  unreadable: 422,
  address_not_allowed: 403,
  fetch_failed: 502,
  busy: 503,
  internal: 500,
  config_invalid: 500,
  model_unavailable: 503,
  index_invalid: 500,
  corpus_invalid: 500,
  usage: 400,
};

/**
 * Failures whose details are for the log only. `corpus_invalid` is not one: its message names a metadata file (by
 * its folder's base name) and key, which the person fixing the corpus needs, and nothing secret.
 */
const SERVER_SIDE: ReadonlySet<ErrorCode> = new Set(['internal', 'config_invalid', 'index_invalid']);

/** The JSON body of an HTTP error (the API's {@link ErrorReply}). */
export type HttpErrorBody = ErrorReply;

/** Turns anything thrown into an HTTP status and body; server-side failures are logged, not shown. */
export function httpErrorOf(value: unknown, log: Logger): { status: number; body: HttpErrorBody } {
  const error = toAppError(value);
  if (SERVER_SIDE.has(error.code)) {
    log.error(`http: ${error.code}: ${error.message}`);
    return { status: HTTP_STATUS[error.code], body: { error: { code: error.code, message: 'internal error' } } };
  }
  if (error.code === 'corpus_invalid') log.error(`http: ${error.code}: ${error.message}`);
  return { status: HTTP_STATUS[error.code], body: { error: { code: error.code, message: error.message } } };
}

const REASON_PHRASES: Readonly<Record<number, string>> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * The same error as a complete HTTP/1.1 response, for a connection refused before express sees it (a WebSocket
 * upgrade, or a connection over a limit). `retryAfterSeconds` adds a `Retry-After` header; the connection closes.
 */
export function rawHttpErrorOf(value: unknown, log: Logger, options: { retryAfterSeconds?: number } = {}): string {
  const { status, body } = httpErrorOf(value, log);
  const json = JSON.stringify(body);
  const retry = options.retryAfterSeconds === undefined ? '' : `Retry-After: ${Math.max(1, Math.ceil(options.retryAfterSeconds))}\r\n`;
  return (
    `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\n${retry}\r\n${json}`
  );
}

/** Turns anything thrown into a socket `error` frame; codes outside the wire set become `bad_request` or `internal`. */
export function errorFrameOf(value: unknown, log: Logger, requestId: string | null = null): ErrorFrame {
  const error = toAppError(value);
  const id = error.requestId ?? requestId;
  switch (error.code) {
    case 'bad_json':
    case 'bad_request':
    case 'too_long':
    case 'rate_limited':
      return { type: 'error', id, code: error.code satisfies WireErrorCode, message: error.message };
    case 'not_found':
      return { type: 'error', id, code: 'bad_request', message: error.message };
    default:
      log.error(`socket: ${error.code}: ${error.message}`);
      return { type: 'error', id, code: 'internal', message: 'internal error; the question could not be answered' };
  }
}

/**
 * Answers a raw socket (an upgrade refused, a request Node could not parse) with `response` and closes it. The
 * HTTP server no longer watches such a socket: a client resetting it must not crash the process.
 */
export function endSocketWith(socket: Duplex, response: string): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(response);
}
