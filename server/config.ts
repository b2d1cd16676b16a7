// The configuration: every setting, its default, and its check, in one place. Only entry points call
// `loadConfig`, with the process environment; nothing else reads it.

import { isIP } from 'node:net';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllowance } from './adapters/address-policy.ts';
import type { ExtractionLimits } from './adapters/extraction-sandbox.ts';
import type { WebFetchLimits } from './adapters/web-fetch.ts';
import { AppError } from './core/errors.ts';
import { MAX_SPEECH_FILE_BYTES } from './core/source-formats.ts';
import type { ConnectionLimits } from './http/connection-guard.ts';
import type { HostPolicy } from './http/host-policy.ts';
import type { HttpTimeouts } from './http/server.ts';

/** The folder holding `package.json` at or above `dir`: the project, whether run from sources or from dist/. */
function projectRootAbove(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, 'package.json'))) return at;
    if (path.dirname(at) === at) return path.resolve(dir, '..');
  }
}

/** The project folder (the one holding `package.json`, `server/` and `corpus/`). */
export const PROJECT_ROOT = projectRootAbove(path.dirname(fileURLToPath(import.meta.url)));

/** True when this code runs compiled (from dist/, as `npm start` runs it), false when run from its TypeScript. */
export const RUNS_COMPILED = import.meta.url.endsWith('.js');

/**
 * The URL of a module of the product (`server/adapters/extraction-worker`, without extension), compiled or not as
 * the running code is: a worker thread must start from the same kind of file.
 */
export function productModule(relative: string): URL {
  return pathToFileURL(RUNS_COMPILED ? path.join(PROJECT_ROOT, 'dist', `${relative}.js`) : path.join(PROJECT_ROOT, `${relative}.ts`));
}

/** Every setting of the product. */
export interface Config {
  host: string;
  port: number;
  corpusDir: string;
  indexDir: string;
  /** The built chat window. */
  clientDir: string;
  /** Which embedding model to use, if any. */
  model: ModelSource;
  /** Which cross-encoder reorders the best candidates, if any (used only with an embedding model). */
  rerankModel: ModelSource;
  /** Expand keyword queries with WordNet synonyms. */
  queryExpansion: boolean;
  modelCacheDir: string;
  modelQuantized: boolean;
  allowRemoteModels: boolean;
  /** Seconds between attempts to load the model after a failure; 0 never retries. */
  modelRetrySeconds: number;
  /** A fixed cosine at which a dense match answers; null calibrates it per model and corpus (the default). */
  denseMinScore: number | null;
  /** The bearer token that write routes (add, edit, remove speeches) require; null disables them. */
  adminToken: string | null;
  /**
   * The folder a command was typed in (npm sets `INIT_CWD`, as it runs scripts from the project folder); file
   * names on a command line are relative to it. Null when not run through npm: the process's own folder then.
   */
  invocationDir: string | null;
  /** Which pages may open the chat socket, and which host names requests may name (against DNS rebinding). */
  hostPolicy: HostPolicy;
  /** Caps on connections, overall and per address, and how long a flooding address is refused. */
  connections: ConnectionLimits;
  /** How long a client may take over a request, against connections held open by slow clients. */
  httpTimeouts: HttpTimeouts;
  /** How long a shutdown (SIGTERM) may take to finish questions and changes before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** What reading an uploaded file may cost: memory, time, PDF pages, inflated Word bytes, paragraphs. */
  extraction: ExtractionLimits;
  /** Adding a speech from its web address: which addresses may be fetched, and what a fetch may cost. */
  webFetch: WebFetchLimits;
  /** Serve the chat page's source maps (`*.map`), for debugging; off by default. */
  serveSourceMaps: boolean;
}

/** Where the embedding model comes from. */
export type ModelSource =
  /** Keyword retrieval only (`MODEL_ID=none`). */
  | { kind: 'none' }
  /** Downloaded once from the Hugging Face Hub into the cache, then read from it. */
  | { kind: 'hub'; id: string }
  /** A local folder, fully offline (`MODEL_DIR`); `id` is MODEL_ID when set, else the folder's name. */
  | { kind: 'folder'; dir: string; id: string | null };

/** The defaults, in one block. Paths are relative to the project folder. */
export const DEFAULTS = {
  HOST: '127.0.0.1',
  PORT: '3000',
  CORPUS_DIR: 'corpus',
  INDEX_DIR: 'index',
  CLIENT_DIR: 'client/dist',
  MODEL_ID: 'Xenova/bge-small-en-v1.5',
  MODEL_DIR: '',
  MODEL_CACHE_DIR: '.cache/models',
  MODEL_QUANTIZED: 'true',
  ALLOW_REMOTE_MODELS: 'true',
  MODEL_RETRY_SECONDS: '300',
  DENSE_MIN_SCORE: '',
  RERANK_MODEL_ID: 'Xenova/ms-marco-MiniLM-L-6-v2',
  RERANK_MODEL_DIR: '',
  QUERY_EXPANSION: 'true',
  ADMIN_TOKEN: '',
  INIT_CWD: '',
  ALLOWED_ORIGINS: '',
  ALLOWED_HOSTS: '',
  MAX_CONNECTIONS: '2000',
  MAX_CONNECTIONS_PER_IP: '100',
  FLOOD_BAN_SECONDS: '60',
  HEADERS_TIMEOUT_SECONDS: '10',
  REQUEST_TIMEOUT_SECONDS: '120',
  KEEP_ALIVE_TIMEOUT_SECONDS: '5',
  SHUTDOWN_TIMEOUT_SECONDS: '8',
  EXTRACTION_TIMEOUT_SECONDS: '30',
  EXTRACTION_MEMORY_MB: '256',
  MAX_PDF_PAGES: '500',
  MAX_INFLATED_MB: '50',
  MAX_SPEECH_PARAGRAPHS: '2000',
  URL_FETCH_ALLOW_PRIVATE: 'false',
  URL_FETCH_TIMEOUT_SECONDS: '20',
  URL_FETCH_MAX_MB: '20',
  URL_FETCH_MAX_REDIRECTS: '5',
  SERVE_SOURCE_MAPS: 'false',
} as const;

/** What to do when the embedding model cannot be loaded: how to get it, or how to turn keyword-only mode on quietly. */
export const NO_MODEL_HINT =
  'to get the model, run npm run model:fetch (or set MODEL_DIR to a folder holding a copy); to answer by keyword search only without this warning, set MODEL_ID=none';

/** The shortest ADMIN_TOKEN accepted: a guessable secret is worse than none. */
export const MIN_ADMIN_TOKEN_CHARS = 16;

/** The names of every setting, as environment variables. */
export type ConfigKey = keyof typeof DEFAULTS;

type Env = Readonly<Record<string, string | undefined>>;

function invalid(key: ConfigKey, expected: string, got: string): AppError {
  return new AppError('config_invalid', `${key}: expected ${expected}, got "${got}"`);
}

function integerIn(key: ConfigKey, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw invalid(key, `an integer from ${min} to ${max}`, raw);
  return value;
}

function numberIn(key: ConfigKey, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw invalid(key, `a number from ${min} to ${max}`, raw);
  return value;
}

function flag(key: ConfigKey, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw invalid(key, 'true or false', raw);
}

function adminToken(raw: string): string | null {
  if (raw === '') return null;
  // Printable ASCII without spaces: it travels in an HTTP header as is.
  if (raw.length < MIN_ADMIN_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new AppError('config_invalid', `ADMIN_TOKEN: expected at least ${MIN_ADMIN_TOKEN_CHARS} printable characters without spaces, got one of ${raw.length} characters`);
  }
  return raw;
}

/** A list separated by commas or spaces; empty entries dropped. */
const listOf = (raw: string): string[] => raw.split(/[\s,]+/).filter((item) => item !== '');

/** `ALLOWED_ORIGINS`: web origins such as `https://chat.example.org`, written as a browser sends them. */
function allowedOrigins(raw: string): string[] {
  return listOf(raw).map((item) => {
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      // Reported below.
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item.replace(/\/$/, '').toLowerCase()) {
      throw invalid('ALLOWED_ORIGINS', 'origins such as https://chat.example.org (scheme, host and port only), separated by commas', item);
    }
    return url.origin;
  });
}

/** `ALLOWED_HOSTS`: host names without port, compared case-insensitively. */
function allowedHosts(raw: string): string[] {
  return listOf(raw).map((item) => {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(item)) {
      throw invalid('ALLOWED_HOSTS', 'host names such as chat.example.org (no scheme or port), separated by commas', item);
    }
    return item.toLowerCase().replace(/\.$/, '');
  });
}

/** The configured host names, with HOST itself when it is a name (not an address, not `localhost`). */
function servedHostNames(host: string, allowed: string[]): string[] {
  const name = host.toLowerCase();
  const isName = isIP(name) === 0 && name !== 'localhost' && !allowed.includes(name);
  return isName ? [...allowed, name] : allowed;
}

function invocationDir(raw: string): string | null {
  if (raw === '') return null;
  if (!path.isAbsolute(raw)) throw invalid('INIT_CWD', 'an absolute folder path', raw);
  return path.normalize(raw);
}

/**
 * Reads the configuration from environment variables, with the defaults above for unset or empty ones.
 * @throws AppError `config_invalid` naming the bad key.
 */
export function loadConfig(env: Env): Config {
  const get = (key: ConfigKey): string => {
    const value = env[key];
    return value === undefined || value.trim() === '' ? DEFAULTS[key] : value.trim();
  };
  const dir = (key: ConfigKey): string => path.resolve(PROJECT_ROOT, get(key));
  const host = get('HOST');
  if (!/^[\w.:-]+$/.test(host)) throw invalid('HOST', 'a host name or IP address', host);
  const modelSource = (idKey: ConfigKey, dirKey: ConfigKey): ModelSource => {
    const id = get(idKey);
    if (id !== 'none' && !/^[\w.-]+(\/[\w.-]+)?$/.test(id)) throw invalid(idKey, 'a model id like owner/name, or none', id);
    const dir = get(dirKey);
    const explicitId = (env[idKey] ?? '').trim() !== '';
    // `none` wins over a folder: it is the one way to turn the model off.
    if (id === 'none') return { kind: 'none' };
    if (dir !== '') return { kind: 'folder', dir: path.resolve(PROJECT_ROOT, dir), id: explicitId ? id : null };
    return { kind: 'hub', id };
  };
  return {
    host,
    port: integerIn('PORT', get('PORT'), 0, 65535),
    corpusDir: dir('CORPUS_DIR'),
    indexDir: dir('INDEX_DIR'),
    clientDir: dir('CLIENT_DIR'),
    model: modelSource('MODEL_ID', 'MODEL_DIR'),
    rerankModel: modelSource('RERANK_MODEL_ID', 'RERANK_MODEL_DIR'),
    queryExpansion: flag('QUERY_EXPANSION', get('QUERY_EXPANSION')),
    modelCacheDir: dir('MODEL_CACHE_DIR'),
    modelQuantized: flag('MODEL_QUANTIZED', get('MODEL_QUANTIZED')),
    allowRemoteModels: flag('ALLOW_REMOTE_MODELS', get('ALLOW_REMOTE_MODELS')),
    modelRetrySeconds: integerIn('MODEL_RETRY_SECONDS', get('MODEL_RETRY_SECONDS'), 0, 86_400),
    denseMinScore: get('DENSE_MIN_SCORE') === '' ? null : numberIn('DENSE_MIN_SCORE', get('DENSE_MIN_SCORE'), -1, 1),
    adminToken: adminToken(get('ADMIN_TOKEN')),
    invocationDir: invocationDir(get('INIT_CWD')),
    hostPolicy: { allowedOrigins: allowedOrigins(get('ALLOWED_ORIGINS')), allowedHosts: servedHostNames(host, allowedHosts(get('ALLOWED_HOSTS'))) },
    connections: {
      maxConnections: integerIn('MAX_CONNECTIONS', get('MAX_CONNECTIONS'), 1, 1_000_000),
      maxConnectionsPerIp: integerIn('MAX_CONNECTIONS_PER_IP', get('MAX_CONNECTIONS_PER_IP'), 1, 1_000_000),
      banMs: integerIn('FLOOD_BAN_SECONDS', get('FLOOD_BAN_SECONDS'), 0, 86_400) * 1000,
    },
    httpTimeouts: httpTimeouts(get),
    shutdownTimeoutMs: integerIn('SHUTDOWN_TIMEOUT_SECONDS', get('SHUTDOWN_TIMEOUT_SECONDS'), 1, 3_600) * 1000,
    extraction: {
      timeoutMs: integerIn('EXTRACTION_TIMEOUT_SECONDS', get('EXTRACTION_TIMEOUT_SECONDS'), 1, 3_600) * 1000,
      maxMemoryMb: integerIn('EXTRACTION_MEMORY_MB', get('EXTRACTION_MEMORY_MB'), 32, 16_384),
      maxPdfPages: integerIn('MAX_PDF_PAGES', get('MAX_PDF_PAGES'), 1, 100_000),
      maxInflatedBytes: integerIn('MAX_INFLATED_MB', get('MAX_INFLATED_MB'), 1, 4_096) * 1024 * 1024,
      maxParagraphs: integerIn('MAX_SPEECH_PARAGRAPHS', get('MAX_SPEECH_PARAGRAPHS'), 1, 1_000_000),
    },
    webFetch: webFetchLimits(get),
    serveSourceMaps: flag('SERVE_SOURCE_MAPS', get('SERVE_SOURCE_MAPS')),
  };
}

/** `URL_FETCH_*`: a fetched document is at most as large as a file may be. */
function webFetchLimits(get: (key: ConfigKey) => string): WebFetchLimits {
  let allowPrivate: WebFetchLimits['allowPrivate'];
  try {
    allowPrivate = parseAllowance(get('URL_FETCH_ALLOW_PRIVATE'));
  } catch (error) {
    throw invalid('URL_FETCH_ALLOW_PRIVATE', `true, false, or IP addresses and ranges such as 10.20.0.0/16 separated by commas (${(error as Error).message})`, get('URL_FETCH_ALLOW_PRIVATE'));
  }
  return {
    allowPrivate,
    timeoutMs: integerIn('URL_FETCH_TIMEOUT_SECONDS', get('URL_FETCH_TIMEOUT_SECONDS'), 1, 600) * 1000,
    maxBytes: integerIn('URL_FETCH_MAX_MB', get('URL_FETCH_MAX_MB'), 1, MAX_SPEECH_FILE_BYTES / 1024 / 1024) * 1024 * 1024,
    maxRedirects: integerIn('URL_FETCH_MAX_REDIRECTS', get('URL_FETCH_MAX_REDIRECTS'), 0, 20),
  };
}

/** The HTTP timeouts; the header timeout must be shorter than the request timeout, which covers it. */
function httpTimeouts(get: (key: ConfigKey) => string): HttpTimeouts {
  const headersMs = integerIn('HEADERS_TIMEOUT_SECONDS', get('HEADERS_TIMEOUT_SECONDS'), 1, 3_600) * 1000;
  const requestMs = integerIn('REQUEST_TIMEOUT_SECONDS', get('REQUEST_TIMEOUT_SECONDS'), 1, 86_400) * 1000;
  if (requestMs <= headersMs) {
    throw invalid('REQUEST_TIMEOUT_SECONDS', `more seconds than HEADERS_TIMEOUT_SECONDS (${headersMs / 1000})`, get('REQUEST_TIMEOUT_SECONDS'));
  }
  return { headersMs, requestMs, keepAliveMs: integerIn('KEEP_ALIVE_TIMEOUT_SECONDS', get('KEEP_ALIVE_TIMEOUT_SECONDS'), 1, 3_600) * 1000 };
}

/**
 * Every setting at its default, for the parts that also run without a configuration (tests, tools): their
 * defaults come from the block above, never from a second copy.
 */
export const DEFAULT_CONFIG: Config = loadConfig({});
