// The one error type of the product and its fixed set of codes.
// Adapters turn it into an HTTP status or a socket `error` frame (see server/http/error-response.ts).

/** Every code the product can report. Wire-visible codes are listed in the README. */
export const ERROR_CODES = [
  'bad_json',
  'bad_request',
  'too_long',
  'rate_limited',
  'not_found',
  'bad_origin',
  'overloaded',
  'unauthorized',
  'forbidden',
  'duplicate',
  'unsupported_type',
  'too_large',
  'unreadable',
  'address_not_allowed',
  'fetch_failed',
  'busy',
  'internal',
  'config_invalid',
  'model_unavailable',
  'index_invalid',
  'corpus_invalid',
  'usage',
] as const;

/** A fixed error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The product's error: a fixed `code`, a human message, and the request it answers, if any. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** The id of the `ask` frame this error answers, when known. */
  readonly requestId: string | null;

  constructor(code: ErrorCode, message: string, options: { requestId?: string | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.requestId = options.requestId ?? null;
  }
}

/** True when `value` is an {@link AppError}. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Wraps anything thrown into an {@link AppError}; unknown failures become `internal`. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError('internal', message, { cause: value });
}
