// Fetches the document at a web address a person gave, within bounds: http and https only, to public addresses only
// (checked after DNS resolution and again on every redirect, and the connection made to the very address checked,
// so that DNS rebinding cannot slip between check and connection), a limited number of redirects, a size limit
// (also after decompression) and a deadline. Every failure is an AppError that says what went wrong.

import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError, isAppError } from '../core/errors.ts';
import { parseContentType, parseWebAddress } from '../core/source-formats.ts';
import { addressRefusal, type PrivateAddressAllowance } from './address-policy.ts';

/** What fetching one address may cost, and where it may go (`URL_FETCH_*`). */
export interface WebFetchLimits {
  /** Special-purpose addresses (loopback, private, link-local…) that may be fetched anyway. */
  allowPrivate: PrivateAddressAllowance;
  /** Time for the whole fetch, redirects included. */
  timeoutMs: number;
  /** The largest document accepted, as sent and after decompression. */
  maxBytes: number;
  /** Redirects followed at most. */
  maxRedirects: number;
}

/** Resolves a host name to its IP addresses; the system resolver unless a test gives another. */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** A fetched document: the address it came from after redirects, how it was served, and its bytes. */
export interface FetchedDocument {
  address: string;
  mediaType: string;
  charset: string | null;
  bytes: Uint8Array;
}

const systemResolver: HostResolver = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const REQUEST_HEADERS = {
  'user-agent': 'idm-speech-chat (adds a speech from its web address)',
  accept: 'text/html,application/xhtml+xml,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain;q=0.9,*/*;q=0.5',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en;q=1, *;q=0.5',
};

const megabytes = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
const failed = (message: string, cause?: unknown) => new AppError('fetch_failed', message, { cause });

/** A resolver's failure in words. */
function resolveFailure(host: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'ENODATA') return failed(`${host}: no such host; check the address`, error);
  return failed(`${host}: the name could not be looked up (${code ?? (error as Error).message})`, error);
}

/**
 * The addresses `url`'s host stands for, every one of them checked.
 * @throws AppError `address_not_allowed` naming the host and the address, `fetch_failed` when it cannot be resolved.
 */
async function checkedAddresses(url: URL, limits: WebFetchLimits, resolve: HostResolver, signal: AbortSignal): Promise<string[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host) !== 0;
  const addresses = literal ? [host] : await untilAborted(resolve(host), signal).catch((error: unknown) => Promise.reject(signal.aborted ? error : resolveFailure(host, error)));
  if (addresses.length === 0) throw failed(`${host}: the name has no address`);
  for (const address of addresses) {
    const refusal = addressRefusal(address, limits.allowPrivate);
    if (refusal === null) continue;
    const where = literal ? `${address} is ${refusal}` : `${host} resolves to ${address}, ${refusal}`;
    throw new AppError('address_not_allowed', `${where}; speeches are not fetched from this machine or its private network unless URL_FETCH_ALLOW_PRIVATE allows it`);
  }
  return addresses;
}

/** `promise`, or a rejection as soon as `signal` aborts (a name lookup cannot itself be aborted). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A `lookup` that answers with the addresses already checked, so the connection goes to one of them and no other. */
function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    const first = entries[0];
    if (options.all === true) (callback as (error: null, entries: Array<{ address: string; family: number }>) => void)(null, entries);
    else if (first !== undefined) callback(null, first.address, first.family);
  };
}

/** Sends one GET to `url`, connecting only to `addresses`; resolves with the response's head. */
function requestOnce(url: URL, addresses: readonly string[], signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    // A fresh connection (no agent): a pooled one might have been opened to an address checked for another request.
    const request = client.request(url, { method: 'GET', headers: REQUEST_HEADERS, agent: false, lookup: pinnedLookup(addresses), signal }, resolve);
    request.once('error', reject);
    request.end();
  });
}

/** A connection failure in words. */
function connectionFailure(url: URL, error: unknown): AppError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'refused the connection',
    ECONNRESET: 'closed the connection',
    EHOSTUNREACH: 'cannot be reached',
    ENETUNREACH: 'cannot be reached',
    ETIMEDOUT: 'did not answer',
    CERT_HAS_EXPIRED: 'has an expired certificate',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'has a self-signed certificate',
    ERR_TLS_CERT_ALTNAME_INVALID: 'has a certificate for another name',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'has a certificate that cannot be verified',
  };
  const reason = (code === undefined ? undefined : reasons[code]) ?? `could not be read (${code ?? message})`;
  return failed(`${url.host} ${reason}`, error);
}

/** The body's decoder for its `Content-Encoding`, or null for none. @throws AppError `fetch_failed` for an unknown one. */
function decoderFor(encoding: string, url: URL): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch (encoding.trim().toLowerCase()) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw failed(`${url.host} sent the document in an encoding that cannot be read ("${encoding.slice(0, 40)}")`);
  }
}

/** Reads a response's body, decompressed, refusing it past `maxBytes` as sent or as decompressed. */
async function readBody(response: IncomingMessage, url: URL, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new AppError('too_large', `${url.href}: the document is larger than ${megabytes(maxBytes)}`);
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const decoder = decoderFor(String(response.headers['content-encoding'] ?? ''), url);
  let sent = 0;
  response.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (sent > maxBytes) response.destroy(tooLarge());
  });
  const body: Readable = decoder === null ? response : response.pipe(decoder);
  // A failure of the response reaches the decoder's reader too.
  if (decoder !== null) response.once('error', (error) => decoder.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The next address of a redirect, checked as the first one was. @throws AppError `fetch_failed`. */
function redirectTarget(response: IncomingMessage, url: URL): URL {
  const location = response.headers.location;
  if (location === undefined) throw failed(`${url.href}: the server answered ${response.statusCode} without saying where to`);
  try {
    return parseWebAddress(new URL(location, url).href);
  } catch (error) {
    throw failed(`${url.href} redirects to "${location.slice(0, 120)}", which cannot be read (${(error as Error).message})`, error);
  }
}

/** A response that is neither the document nor a redirect, in words. */
function statusFailure(response: IncomingMessage, url: URL): AppError {
  const status = response.statusCode ?? 0;
  const said = `${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
  const hint = status === 404 || status === 410 ? '; check the address' : status === 401 || status === 403 ? '; the page may need a login: save it and add the file instead' : '';
  return failed(`${url.href}: the server answered ${said}${hint}`);
}

/**
 * Fetches the document at `address`, following redirects.
 * @param options.signal aborts the fetch (shutdown): `busy`.
 * @throws AppError `bad_request` (not an http or https address), `address_not_allowed` (a special-purpose address,
 *   first or after a redirect), `too_large`, `fetch_failed` (no such host, refused, an error status, too many
 *   redirects, past the deadline), `busy`.
 */
export async function fetchWebDocument(
  address: string,
  limits: WebFetchLimits,
  options: { signal?: AbortSignal; resolve?: HostResolver } = {},
): Promise<FetchedDocument> {
  const resolve = options.resolve ?? systemResolver;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), limits.timeoutMs);
  const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, options.signal]);
  let url = parseWebAddress(address);
  try {
    for (let redirects = 0; ; redirects += 1) {
      const addresses = await checkedAddresses(url, limits, resolve, signal);
      const response = await requestOnce(url, addresses, signal).catch((error: unknown) => Promise.reject(signal.aborted ? error : connectionFailure(url, error)));
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        response.destroy();
        if (redirects >= limits.maxRedirects) throw failed(`${address}: more than ${limits.maxRedirects} redirects`);
        url = redirectTarget(response, url);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw statusFailure(response, url);
      }
      const bytes = await readBody(response, url, limits.maxBytes);
      const { mediaType, charset } = parseContentType(String(response.headers['content-type'] ?? ''));
      return { address: url.href, mediaType, charset, bytes };
    }
  } catch (error) {
    if (options.signal?.aborted === true) throw new AppError('busy', 'the server is shutting down; nothing was added; try again shortly', { cause: error });
    if (deadline.signal.aborted) throw failed(`${url.host} did not send the document within ${Math.round(limits.timeoutMs / 1000)} s`, error);
    throw isAppError(error) ? error : failed(`${url.href}: the document could not be received (${(error as Error).message})`, error);
  } finally {
    clearTimeout(timer);
  }
}
