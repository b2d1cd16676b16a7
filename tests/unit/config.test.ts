// Unit tests of loadConfig: defaults, overrides, and a config_invalid error naming the key for every bad value.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig, PROJECT_ROOT } from '../../server/config.ts';
import { AppError } from '../../server/core/errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs loadConfig expecting a config_invalid AppError; returns its message. */
function failureOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('config_invalid');
    return (error as AppError).message;
  }
  return expect.unreachable(`loadConfig(${JSON.stringify(env)}) should have thrown`);
}

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('points PROJECT_ROOT at the project folder', () => {
    expect(PROJECT_ROOT).toBe(ROOT);
  });

  it('listens on 127.0.0.1:3000', () => {
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
  });

  it('uses Xenova/bge-small-en-v1.5 from the hub, quantized, remote allowed', () => {
    expect(config.model).toEqual({ kind: 'hub', id: 'Xenova/bge-small-en-v1.5' });
    expect(config.modelQuantized).toBe(true);
    expect(config.allowRemoteModels).toBe(true);
    expect(config.modelRetrySeconds).toBe(300);
    // No fixed dense threshold: it is calibrated per model and corpus.
    expect(config.denseMinScore).toBeNull();
  });

  it('puts every path inside the project', () => {
    expect(config.corpusDir).toBe(path.join(ROOT, 'corpus'));
    expect(config.indexDir).toBe(path.join(ROOT, 'index'));
    expect(config.clientDir).toBe(path.join(ROOT, 'client', 'dist'));
    expect(config.modelCacheDir).toBe(path.join(ROOT, '.cache', 'models'));
    for (const dir of [config.corpusDir, config.indexDir, config.clientDir, config.modelCacheDir]) {
      expect(path.isAbsolute(dir)).toBe(true);
      expect(path.relative(ROOT, dir).startsWith('..')).toBe(false);
    }
  });

  it('treats empty and blank values as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '  ', MODEL_ID: '', DENSE_MIN_SCORE: ' ' })).toEqual(config);
  });

  it('ignores unrelated environment variables', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', port: '1' })).toEqual(config);
  });

  it('keeps DEFAULTS as strings for every setting', () => {
    for (const value of Object.values(DEFAULTS)) expect(typeof value).toBe('string');
  });
});

describe('loadConfig overrides', () => {
  it('reads MODEL_ID=none as keyword retrieval only (no model)', () => {
    expect(loadConfig({ MODEL_ID: 'none' }).model).toEqual({ kind: 'none' });
    expect(loadConfig({ MODEL_ID: ' none ' }).model).toEqual({ kind: 'none' });
  });

  it('accepts another hub model id', () => {
    expect(loadConfig({ MODEL_ID: 'Xenova/bge-small-en-v1.5' }).model).toEqual({ kind: 'hub', id: 'Xenova/bge-small-en-v1.5' });
    expect(loadConfig({ MODEL_ID: 'local-model' }).model).toEqual({ kind: 'hub', id: 'local-model' });
  });

  it('reads MODEL_DIR as a local model folder inside the project, with MODEL_ID as its id only when set', () => {
    expect(loadConfig({ MODEL_DIR: 'models/mini' }).model).toEqual({ kind: 'folder', dir: path.join(ROOT, 'models', 'mini'), id: null });
    expect(loadConfig({ MODEL_DIR: 'models/mini', MODEL_ID: 'owner/mini' }).model).toEqual({
      kind: 'folder',
      dir: path.join(ROOT, 'models', 'mini'),
      id: 'owner/mini',
    });
    expect(loadConfig({ MODEL_DIR: '/opt/models/mini' }).model).toEqual({ kind: 'folder', dir: '/opt/models/mini', id: null });
  });

  it('keeps PORT=0 as 0 (any free port), not the default', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('reads PORT with surrounding spaces and accepts the bounds', () => {
    expect(loadConfig({ PORT: ' 8080 ' }).port).toBe(8080);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('reads host names and addresses', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
    expect(loadConfig({ HOST: 'my-host.example' }).host).toBe('my-host.example');
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
  ])('reads the flag MODEL_QUANTIZED=%s as %s', (raw, expected) => {
    expect(loadConfig({ MODEL_QUANTIZED: raw }).modelQuantized).toBe(expected);
    expect(loadConfig({ ALLOW_REMOTE_MODELS: raw }).allowRemoteModels).toBe(expected);
  });

  it('resolves relative paths against the project and keeps absolute ones', () => {
    const config = loadConfig({ CORPUS_DIR: 'data/speeches', INDEX_DIR: '/var/lib/idm/index', MODEL_CACHE_DIR: ' cache ' });
    expect(config.corpusDir).toBe(path.join(ROOT, 'data', 'speeches'));
    expect(config.indexDir).toBe('/var/lib/idm/index');
    expect(config.modelCacheDir).toBe(path.join(ROOT, 'cache'));
  });

  it('reads MODEL_RETRY_SECONDS and DENSE_MIN_SCORE within their ranges', () => {
    expect(loadConfig({ MODEL_RETRY_SECONDS: '0' }).modelRetrySeconds).toBe(0);
    expect(loadConfig({ MODEL_RETRY_SECONDS: '86400' }).modelRetrySeconds).toBe(86_400);
    expect(loadConfig({ DENSE_MIN_SCORE: '-1' }).denseMinScore).toBe(-1);
    expect(loadConfig({ DENSE_MIN_SCORE: '1' }).denseMinScore).toBe(1);
    expect(loadConfig({ DENSE_MIN_SCORE: '0.3' }).denseMinScore).toBe(0.3);
    // 0 is a threshold like any other, not "unset".
    expect(loadConfig({ DENSE_MIN_SCORE: '0' }).denseMinScore).toBe(0);
  });
});

describe('loadConfig invalid values', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', '1e3'],
    ['PORT', '0x50'],
    ['MODEL_QUANTIZED', 'maybe'],
    ['ALLOW_REMOTE_MODELS', 'sometimes'],
    ['DENSE_MIN_SCORE', '2'],
    ['DENSE_MIN_SCORE', '-1.5'],
    ['DENSE_MIN_SCORE', 'high'],
    ['DENSE_MIN_SCORE', 'NaN'],
    ['DENSE_MIN_SCORE', 'Infinity'],
    ['MODEL_RETRY_SECONDS', '86401'],
    ['MODEL_RETRY_SECONDS', '1.5'],
    ['HOST', 'a b'],
    ['HOST', 'host;rm'],
    ['HOST', 'http://x'],
    ['MODEL_ID', 'owner/name/extra'],
    ['MODEL_ID', '../../etc'],
    ['MODEL_ID', 'owner name'],
  ])('rejects %s=%j with config_invalid, the message starting with the key', (key, value) => {
    const message = failureOf({ [key]: value });
    expect(message.startsWith(`${key}:`), message).toBe(true);
    expect(message).toContain(value.trim());
  });
});

describe('loadConfig ADMIN_TOKEN', () => {
  it('is unset by default: write routes are disabled', () => {
    expect(loadConfig({}).adminToken).toBeNull();
    expect(loadConfig({ ADMIN_TOKEN: '   ' }).adminToken).toBeNull();
  });

  it('reads a token of 16 or more printable characters', () => {
    expect(loadConfig({ ADMIN_TOKEN: ' 0123456789abcdef ' }).adminToken).toBe('0123456789abcdef');
    expect(loadConfig({ ADMIN_TOKEN: 'a-much/longer+token=with_symbols!' }).adminToken).toBe('a-much/longer+token=with_symbols!');
  });

  it.each(['short', 'sixteen chars ok', 'tab\tin-the-middle-of-it', 'ünïcödé-token-of-many-chars'])(
    'rejects %j naming the key, without echoing the secret',
    (value) => {
      const message = failureOf({ ADMIN_TOKEN: value });
      expect(message.startsWith('ADMIN_TOKEN:'), message).toBe(true);
      expect(message).not.toContain(value.trim());
    },
  );
});

describe('loadConfig INIT_CWD', () => {
  it('is the folder npm was run from, or null outside npm', () => {
    expect(loadConfig({}).invocationDir).toBeNull();
    expect(loadConfig({ INIT_CWD: '/home/someone/speeches/' }).invocationDir).toBe(path.normalize('/home/someone/speeches/'));
  });

  it('rejects a relative folder naming the key', () => {
    const message = failureOf({ INIT_CWD: 'speeches' });
    expect(message.startsWith('INIT_CWD:'), message).toBe(true);
  });
});

describe('loadConfig limits, origins and shutdown', () => {
  it('has deliberate defaults', () => {
    const config = loadConfig({});
    expect(config.hostPolicy).toEqual({ allowedOrigins: [], allowedHosts: [] });
    expect(config.connections).toEqual({ maxConnections: 2000, maxConnectionsPerIp: 100, banMs: 60_000 });
    expect(config.httpTimeouts).toEqual({ headersMs: 10_000, requestMs: 120_000, keepAliveMs: 5_000 });
    expect(config.shutdownTimeoutMs).toBe(8_000);
    expect(config.extraction).toEqual({ timeoutMs: 30_000, maxMemoryMb: 256, maxPdfPages: 500, maxInflatedBytes: 50 * 1024 * 1024, maxParagraphs: 2000 });
    expect(config.serveSourceMaps).toBe(false);
  });

  it('reads lists of origins and host names, normalised', () => {
    const config = loadConfig({ ALLOWED_ORIGINS: 'https://Chat.Example.org, http://10.0.0.5:8080/', ALLOWED_HOSTS: 'Chat.Example.org intranet.local.' });
    expect(config.hostPolicy).toEqual({ allowedOrigins: ['https://chat.example.org', 'http://10.0.0.5:8080'], allowedHosts: ['chat.example.org', 'intranet.local'] });
  });

  it('serves HOST itself when it is a name', () => {
    expect(loadConfig({ HOST: 'chat.example.org' }).hostPolicy.allowedHosts).toEqual(['chat.example.org']);
    expect(loadConfig({ HOST: 'Chat.Example.org', ALLOWED_HOSTS: 'chat.example.org' }).hostPolicy.allowedHosts).toEqual(['chat.example.org']);
    expect(loadConfig({ HOST: '0.0.0.0' }).hostPolicy.allowedHosts).toEqual([]);
    expect(loadConfig({ HOST: 'localhost' }).hostPolicy.allowedHosts).toEqual([]);
  });

  it('reads the limits, FLOOD_BAN_SECONDS=0 as never banning', () => {
    const config = loadConfig({ MAX_CONNECTIONS: '10', MAX_CONNECTIONS_PER_IP: '3', FLOOD_BAN_SECONDS: '0', MAX_PDF_PAGES: '20', MAX_INFLATED_MB: '5', SERVE_SOURCE_MAPS: 'on' });
    expect(config.connections).toEqual({ maxConnections: 10, maxConnectionsPerIp: 3, banMs: 0 });
    expect(config.extraction.maxPdfPages).toBe(20);
    expect(config.extraction.maxInflatedBytes).toBe(5 * 1024 * 1024);
    expect(config.serveSourceMaps).toBe(true);
  });

  it.each([
    ['ALLOWED_ORIGINS', 'chat.example.org'],
    ['ALLOWED_ORIGINS', 'https://chat.example.org/path'],
    ['ALLOWED_ORIGINS', 'ftp://chat.example.org'],
    ['ALLOWED_ORIGINS', '*'],
    ['ALLOWED_HOSTS', 'https://chat.example.org'],
    ['ALLOWED_HOSTS', 'chat.example.org:443'],
    ['ALLOWED_HOSTS', '*.example.org'],
    ['MAX_CONNECTIONS', '0'],
    ['MAX_CONNECTIONS_PER_IP', 'many'],
    ['FLOOD_BAN_SECONDS', '-5'],
    ['HEADERS_TIMEOUT_SECONDS', '0'],
    ['SHUTDOWN_TIMEOUT_SECONDS', '0'],
    ['EXTRACTION_TIMEOUT_SECONDS', '1.5'],
    ['EXTRACTION_MEMORY_MB', '16'],
    ['MAX_PDF_PAGES', '0'],
    ['MAX_INFLATED_MB', '5000'],
    ['MAX_SPEECH_PARAGRAPHS', 'all'],
    ['SERVE_SOURCE_MAPS', 'perhaps'],
    ['URL_FETCH_ALLOW_PRIVATE', 'intranet.local'],
    ['URL_FETCH_TIMEOUT_SECONDS', '0'],
    ['URL_FETCH_MAX_MB', '21'],
    ['URL_FETCH_MAX_REDIRECTS', '-1'],
  ])('rejects %s=%j with config_invalid naming the key', (key, value) => {
    const message = failureOf({ [key]: value });
    expect(message.startsWith(`${key}:`), message).toBe(true);
  });

  it('fetches speeches by address from public addresses only, within 20 s, 20 MB and 5 redirects, unless told otherwise', () => {
    expect(loadConfig({}).webFetch).toEqual({ allowPrivate: { kind: 'none' }, timeoutMs: 20_000, maxBytes: 20 * 1024 * 1024, maxRedirects: 5 });
    const config = loadConfig({ URL_FETCH_ALLOW_PRIVATE: '127.0.0.1,10.8.0.0/16', URL_FETCH_TIMEOUT_SECONDS: '5', URL_FETCH_MAX_MB: '1', URL_FETCH_MAX_REDIRECTS: '0' });
    expect(config.webFetch).toEqual({ allowPrivate: { kind: 'ranges', ranges: ['127.0.0.1/32', '10.8.0.0/16'] }, timeoutMs: 5_000, maxBytes: 1024 * 1024, maxRedirects: 0 });
    expect(loadConfig({ URL_FETCH_ALLOW_PRIVATE: 'true' }).webFetch.allowPrivate).toEqual({ kind: 'all' });
  });

  it('refuses a request timeout that is not longer than the header timeout, naming the key', () => {
    const message = failureOf({ HEADERS_TIMEOUT_SECONDS: '30', REQUEST_TIMEOUT_SECONDS: '30' });
    expect(message.startsWith('REQUEST_TIMEOUT_SECONDS:'), message).toBe(true);
  });
});
