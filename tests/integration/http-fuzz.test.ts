// Seeded fuzzing of the HTTP routes and uploads on a real server, bounded in count and time: random methods,
// paths, headers and bodies, truncated and malformed multipart, wrong content types, bodies cut off mid-way, zip
// bombs and many-page PDFs generated here. Every request gets a JSON error with a known code (never `internal`,
// never a 5xx but `busy`/`overloaded`), the server stays up, and the corpus it serves stays loadable.

import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../server/adapters/corpus-folder.ts';
import { ERROR_CODES } from '../../server/core/errors.ts';
import { makeManyPagePdf, makeZipBombDocx } from '../fixtures/attack-files.ts';
import { CLIMATE_KEYNOTE, makeSpeechDocx, makeSpeechPdf, speechPlainText } from '../fixtures/make-fixtures.ts';
import { seededRandom } from '../unit/fakes.ts';
import { TEST_ADMIN_TOKEN } from './speech-requests.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const CASES = 400;
const TIME_BUDGET_MS = 90_000;
const MB = 1024 * 1024;
let running: TestServer;
let dir: string;
const samples: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idm-http-fuzz-'));
  const make = async (name: string, write: (file: string) => Promise<unknown>) => {
    await write(path.join(dir, name));
    samples[name] = await readFile(path.join(dir, name));
  };
  await make('bomb.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB }));
  await make('lying.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 100 * MB, declaredBytes: 4_096 }));
  await make('pages.pdf', (file) => makeManyPagePdf(file, { pages: 2_000 }));
  await make('speech.pdf', (file) => makeSpeechPdf(file));
  await make('speech.docx', (file) => makeSpeechDocx(file));
  samples['speech.txt'] = Buffer.from(speechPlainText(CLIMATE_KEYNOTE, { headerBlock: true }));
  running = await startTestServer({ adminToken: TEST_ADMIN_TOKEN, warmExtraction: true, watch: null });
}, 120_000);
afterAll(async () => {
  await running?.stop();
  await rm(dir, { recursive: true, force: true });
});

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** One request to send: method, path, headers and body, and whether to cut the body off mid-way. */
interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send only this many bytes of the body, then end the connection (an aborted upload). */
  abortAfter: number | null;
}

const PATHS = [
  '/', '/index.html', '/app.js', '/app.js.map', '/styles.css', '/api/health', '/api/speeches', '/api/speeches?dryRun=1', '/api/speeches?dryRun=maybe',
  '/api/speeches/idm-2018-closing-remarks-swing', '/api/speeches/IDM-2018', '/api/speeches/..%2f..%2fetc%2fpasswd', '/api/speeches/%00', '/api/speeches/a%ZZ',
  `/api/speeches/${'x'.repeat(300)}`, '/api/nothing', '/api', '/ws', '/%2e%2e/%2e%2e/etc/passwd', '/..\\..\\windows', '/api/speeches/é', '/?q=<script>',
];
const CONTENT_TYPES = ['multipart/form-data; boundary=XyZ', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/pdf', 'image/png', ''];

function multipart(random: Random, boundary: string, options: { withFile: boolean }): Buffer {
  const parts: Buffer[] = [];
  const fields = Math.floor(random() * 3);
  for (let i = 0; i < fields + (options.withFile ? 1 : 0); i += 1) {
    const field = i === fields ? 'file' : pick(random, ['title', 'date', 'speaker', 'source', 'nonsense', 'file', '']);
    if (field === 'file' || random() < 0.1) {
      const [name, bytes] = pick(random, Object.entries(samples));
      const fileName = random() < 0.3 ? pick(random, ['x.exe', 'noext', '../../evil.pdf', 'speech.PDF', 'a.docx', '']) : name;
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`), bytes, Buffer.from('\r\n'));
    } else {
      const value = pick(random, ['2019-10-15', '2019-02-30', 'A title', '', 'javascript:alert(6)', 'x'.repeat(3_000), 'line\nbreak', '\u0000']);
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${value}\r\n`));
    }
  }
  if (random() < 0.9) parts.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(parts);
  // A third of the multipart bodies are truncated at a random point (sent complete, with a matching length).
  return random() < 0.33 ? body.subarray(0, Math.floor(random() * body.length)) : body;
}

function jsonBody(random: Random): Buffer {
  const value = pick<unknown>(random, [
    { text: samples['speech.txt']!.toString(), title: 'Fuzzed' },
    { text: 'Title: T\nDate: 2019-10-15\n\nShort text.', fileName: '../x.txt' },
    { text: 42 },
    { title: 'no text' },
    [1, 2, 3],
    'just a string',
    { text: 'x', date: 'yesterday' },
    { text: 'x', unknown: 'field' },
    { title: '' },
    { source: 'javascript:alert(1)' },
    // Addresses, all refused before any connection or name lookup: nothing leaves this machine.
    { url: 'file:///etc/passwd' },
    { url: 'http://127.0.0.1:1/speech', title: 'Loopback' },
    { url: 'http://169.254.169.254/latest/meta-data/' },
    { url: 'https://[::1]/' },
    { url: 42 },
    { url: 'http://10.0.0.1/x', text: 'both' },
  ]);
  const raw = Buffer.from(JSON.stringify(value));
  return random() < 0.2 ? raw.subarray(0, Math.floor(random() * raw.length)) : raw;
}

/** Authorization: mostly the right token, sometimes a wrong or malformed one, sometimes none. */
function authorization(random: Random): Record<string, string> {
  const roll = random();
  if (roll < 0.75) return { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  if (roll < 0.9) return { authorization: pick(random, ['Bearer wrong-token-0123456789', 'Basic abc', 'Bearer', `bearer ${TEST_ADMIN_TOKEN}`]) };
  return {};
}

const WRITE_PATHS = ['/api/speeches', '/api/speeches?dryRun=1', '/api/speeches?dryRun=1', '/api/speeches?dryRun=0'];

/** A random request: an upload (45%), a JSON add (15%), or anything at all (40%). */
function fuzzRequest(random: Random): FuzzRequest {
  const kind = random();
  let request: FuzzRequest;
  if (kind < 0.45) {
    const boundary = random() < 0.9 ? 'XyZ' : '';
    const body = multipart(random, boundary || 'XyZ', { withFile: random() < 0.9 });
    request = { method: 'POST', path: pick(random, WRITE_PATHS), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...authorization(random) }, body, abortAfter: null };
  } else if (kind < 0.6) {
    request = { method: 'POST', path: pick(random, WRITE_PATHS), headers: { 'content-type': 'application/json', ...authorization(random) }, body: jsonBody(random), abortAfter: null };
  } else {
    const method = pick(random, ['GET', 'GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD']);
    const contentType = pick(random, CONTENT_TYPES);
    let body: Buffer = Buffer.alloc(0);
    if (method !== 'GET' && method !== 'HEAD' && random() < 0.8) {
      if (contentType.startsWith('multipart')) body = multipart(random, /boundary=(\S+)/.exec(contentType)?.[1] ?? 'XyZ', { withFile: random() < 0.5 });
      else if (contentType.startsWith('application/json')) body = jsonBody(random);
      else body = random() < 0.5 ? pick(random, Object.values(samples)) : Buffer.from(Array.from({ length: Math.floor(random() * 2_000) }, () => Math.floor(random() * 256)));
    }
    request = { method, path: pick(random, PATHS), headers: { ...(contentType === '' ? {} : { 'content-type': contentType }), ...authorization(random) }, body, abortAfter: null };
  }
  // One request in ten is cut off by the client part-way through its body.
  if (request.body.length > 0 && random() < 0.1) request.abortAfter = Math.floor(random() * request.body.length);
  return request;
}

/** Sends one request; resolves with status and body, or `aborted` for one cut off by the client. */
function send(port: number, fuzz: FuzzRequest): Promise<{ status: number; body: string } | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: fuzz.method, path: fuzz.path, headers: { ...fuzz.headers, 'content-length': String(fuzz.body.length) } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve('aborted'));
    });
    req.on('error', (error) => (fuzz.abortAfter !== null ? resolve('aborted') : reject(error)));
    if (fuzz.abortAfter !== null) {
      req.write(fuzz.body.subarray(0, fuzz.abortAfter));
      setTimeout(() => {
        req.destroy();
        resolve('aborted');
      }, 20);
    } else req.end(fuzz.body);
  });
}

const KNOWN = new Set<string>(ERROR_CODES);
const EXPECTED_5XX = new Set(['busy', 'overloaded']);

/** A well-formed multipart upload of `bytes` as the `file` field named `fileName`. */
function upload(fileName: string, bytes: Buffer): FuzzRequest {
  const body = Buffer.concat([Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n\r\n`), bytes, Buffer.from('\r\n--B--\r\n')]);
  return { method: 'POST', path: '/api/speeches', headers: { 'content-type': 'multipart/form-data; boundary=B', authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body, abortAfter: null };
}

/** The cases named by the issue, each with the status and code it must get. */
function namedCases(): Array<{ label: string; fuzz: FuzzRequest; status: number; code: string }> {
  const pdf = upload('speech.pdf', samples['speech.pdf']!);
  return [
    { label: 'zip bomb', fuzz: upload('bomb.docx', samples['bomb.docx']!), status: 413, code: 'too_large' },
    { label: 'zip bomb lying about its size', fuzz: upload('lying.docx', samples['lying.docx']!), status: 413, code: 'too_large' },
    { label: '2,000-page PDF', fuzz: upload('pages.pdf', samples['pages.pdf']!), status: 413, code: 'too_large' },
    { label: 'multipart cut in the file', fuzz: { ...pdf, body: pdf.body.subarray(0, 3_000) }, status: 400, code: 'bad_request' },
    { label: 'multipart cut in the headers', fuzz: { ...pdf, body: pdf.body.subarray(0, 30) }, status: 400, code: 'bad_request' },
    { label: 'multipart without boundary', fuzz: { ...pdf, headers: { ...pdf.headers, 'content-type': 'multipart/form-data' } }, status: 400, code: 'bad_request' },
    { label: 'PDF sent as text/plain', fuzz: { ...pdf, headers: { ...pdf.headers, 'content-type': 'text/plain' } }, status: 400, code: 'bad_request' },
    { label: 'PDF sent as application/json', fuzz: { ...pdf, headers: { ...pdf.headers, 'content-type': 'application/json' } }, status: 400, code: 'bad_request' },
    { label: 'PDF named .docx', fuzz: upload('speech.docx', samples['speech.pdf']!), status: 415, code: 'unsupported_type' },
    { label: 'Word document named .pdf', fuzz: upload('speech.pdf', samples['speech.docx']!), status: 415, code: 'unsupported_type' },
    { label: 'an executable', fuzz: upload('setup.exe', samples['speech.txt']!), status: 415, code: 'unsupported_type' },
    { label: 'a non-ASCII path', fuzz: { method: 'GET', path: '/api/speeches/é', headers: {}, body: Buffer.alloc(0), abortAfter: null }, status: 400, code: 'bad_request' },
  ];
}

describe('HTTP fuzz', () => {
  it('answers the named hostile uploads and malformed requests with their error', { timeout: 120_000 }, async () => {
    const seen = [];
    for (const { label, fuzz } of namedCases()) {
      const reply = await send(running.server.port, fuzz);
      seen.push({ label, reply: reply === 'aborted' ? reply : { status: reply.status, code: (JSON.parse(reply.body) as { error: { code: string } }).error.code } });
    }
    expect(seen).toEqual(namedCases().map(({ label, status, code }) => ({ label, reply: { status, code } })));
  });

  it(`answers ${CASES} seeded random requests and uploads with JSON errors of known codes, never internal, and stays up`, { timeout: TIME_BUDGET_MS + 60_000 }, async () => {
    const random = seededRandom(20191015);
    const port = running.server.port;
    const problems: string[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    let sent = 0;
    for (; sent < CASES && performance.now() - started < TIME_BUDGET_MS; sent += 1) {
      const fuzz = fuzzRequest(random);
      const reply = await send(port, fuzz);
      const label = `#${sent} ${fuzz.method} ${fuzz.path} ${fuzz.headers['content-type'] ?? '-'} ${fuzz.body.length} B${fuzz.abortAfter === null ? '' : ` cut at ${fuzz.abortAfter}`}`;
      if (reply === 'aborted') {
        statuses.aborted = (statuses.aborted ?? 0) + 1;
        continue;
      }
      statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
      if (reply.status >= 400 && fuzz.method !== 'HEAD') {
        let code = '';
        try {
          code = (JSON.parse(reply.body) as { error: { code: string } }).error.code;
        } catch {
          problems.push(`${label}: ${reply.status} without a JSON error: ${reply.body.slice(0, 120)}`);
          continue;
        }
        if (!KNOWN.has(code) || code === 'internal') problems.push(`${label}: code ${code}`);
        if (reply.status >= 500 && !EXPECTED_5XX.has(code)) problems.push(`${label}: ${reply.status} ${code}`);
      }
    }
    console.log(`HTTP fuzz: ${sent} requests in ${((performance.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(statuses)}`);
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(Math.min(CASES, 100));
    // Still up, and the corpus it wrote (some fuzzed adds are valid) loads cleanly and matches what it serves.
    expect((await fetch(`${running.server.url}/api/health`)).status).toBe(200);
    const onDisk = await loadCorpus(running.workspace.corpusDir);
    expect(onDisk.map((speech) => speech.meta.id).sort()).toEqual(running.service.listSpeeches().map((speech) => speech.id).sort());
  });
});
