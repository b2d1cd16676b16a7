// Adding a speech from its web address over HTTP (`POST /api/speeches {"url"}`), on a real server fetching from the
// tests' own page server on 127.0.0.1: saved pages with boilerplate and in a layout, a redirect, a PDF and a Word
// document by address, and every refusal (too large, private addresses, directly and after a redirect, and the
// rest) leaving corpus/ and index/ exactly as they were.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowance } from '../../server/adapters/address-policy.ts';
import type { WebFetchLimits } from '../../server/adapters/web-fetch.ts';
import { CLIMATE_KEYNOTE, FIXTURE_PARAGRAPH_COUNT, ISLAND_STATEMENT, makeSpeechDocx, makeSpeechPdf } from '../fixtures/make-fixtures.ts';
import { CLOSING_REMARKS, LABOUR_STATEMENT, type SavedPage } from '../fixtures/web-pages.ts';
import { PAGE_PATHS, startPageServer, type PageServer } from './page-server.ts';
import { digestFolder, postSpeech, TEST_ADMIN_TOKEN, type Reply } from './speech-requests.ts';
import { startTestServer, type TestServer } from './test-server.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

/** The page server is on loopback: only 127.0.0.1 is allowed, as a deployment would allow an intranet range. */
const LIMITS: WebFetchLimits = { allowPrivate: parseAllowance('127.0.0.1'), timeoutMs: 3_000, maxBytes: 1024 * 1024, maxRedirects: 3 };

let files: Workspace;
let pages: PageServer;
let server: TestServer;
/** The same, with the default setting: no special address at all. */
let strict: TestServer;

beforeAll(async () => {
  files = await createWorkspace();
  const pdf = await readFile(await makeSpeechPdf(path.join(files.root, 'keynote.pdf')));
  const docx = await readFile(await makeSpeechDocx(path.join(files.root, 'island.docx'), { speech: ISLAND_STATEMENT }));
  pages = await startPageServer({ pdf, docx });
  server = await startTestServer({ adminToken: TEST_ADMIN_TOKEN, watch: null, webFetch: { limits: LIMITS } });
  strict = await startTestServer({ adminToken: TEST_ADMIN_TOKEN, watch: null, webFetch: { limits: { ...LIMITS, allowPrivate: parseAllowance('false') } } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await strict?.stop();
  await pages?.close();
  await files?.remove();
});

const addByAddress = (on: TestServer, url: string, options: { dryRun?: boolean; fields?: Record<string, string>; token?: string | null } = {}): Promise<Reply> =>
  postSpeech(on.server.url, { json: { url, ...options.fields }, dryRun: options.dryRun, token: options.token });

const snapshot = async (on: TestServer) => ({ corpus: await digestFolder(on.workspace.corpusDir), index: await digestFolder(on.workspace.indexDir) });

/** Posts `url`, expects the refusal `status`/`code`, and that nothing was written; returns the message. */
async function refused(on: TestServer, url: string, status: number, code: string): Promise<string> {
  const before = await snapshot(on);
  const reply = await addByAddress(on, url);
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error.code).toBe(code);
  expect(await snapshot(on)).toEqual(before);
  return reply.body.error.message as string;
}

async function speechText(id: string): Promise<string[]> {
  const document = (await (await fetch(`${server.server.url}/api/speeches/${id}`)).json()) as { paragraphs: Array<{ text: string }> };
  return document.paragraphs.map((paragraph) => paragraph.text);
}

describe('POST /api/speeches {"url"}', () => {
  it('follows a redirect, and the address the speech was fetched from becomes its source (before the page is added below)', async () => {
    const review = await addByAddress(server, pages.at(PAGE_PATHS.redirect), { dryRun: true, fields: { event: 'IDM 2021' } });
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    expect(review.body.speech).toMatchObject({ title: LABOUR_STATEMENT.meta.title, event: 'IDM 2021', source: pages.at(PAGE_PATHS.statement) });
  });

  it.each([
    ['the page with navigation, banner and footer', LABOUR_STATEMENT, PAGE_PATHS.statement],
    ['the page whose speech sits in the middle of a layout (sent compressed)', CLOSING_REMARKS, PAGE_PATHS.remarks],
  ] as Array<[string, SavedPage, string]>)('adds %s: the speech alone, its metadata from the page, the address as source', async (_what, page, pathname) => {
    const url = pages.at(pathname);
    const before = await snapshot(server);
    const review = await addByAddress(server, url, { dryRun: true });
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    expect(review.body).toMatchObject({ dryRun: true, format: 'html', missing: [], speech: { ...page.meta, source: url, paragraphs: page.paragraphs } });
    expect(await snapshot(server)).toEqual(before);

    const added = await addByAddress(server, url);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.speech).toEqual(review.body.speech);
    const paragraphs = await speechText(added.body.speech.id);
    expect(paragraphs).toHaveLength(page.paragraphs);
    expect(paragraphs[0]?.startsWith(page.first)).toBe(true);
    for (const text of paragraphs) for (const words of page.boilerplate) expect(text).not.toContain(words);
    // Answered from at once.
    const answer = await server.service.ask(paragraphs[1]?.slice(0, 80) ?? '', { topK: 1 });
    expect(answer.passages[0]?.speech.id).toBe(added.body.speech.id);
  });

  it('reads a PDF and a Word document by address with the same extractors as uploads, also a PDF sent as octet-stream', async () => {
    for (const pathname of [PAGE_PATHS.pdf, PAGE_PATHS.download]) {
      const review = await addByAddress(server, pages.at(pathname), { dryRun: true });
      expect(review.status, JSON.stringify(review.body)).toBe(200);
      expect(review.body).toMatchObject({ format: 'pdf', speech: { ...CLIMATE_KEYNOTE.meta, source: pages.at(pathname), paragraphs: FIXTURE_PARAGRAPH_COUNT } });
    }
    const added = await addByAddress(server, pages.at(PAGE_PATHS.docx));
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ format: 'docx', speech: { ...ISLAND_STATEMENT.meta, source: pages.at(PAGE_PATHS.docx), paragraphs: ISLAND_STATEMENT.paragraphs.length } });
    // The same speech again, from its address, is a duplicate.
    expect(await refused(server, pages.at(PAGE_PATHS.docx), 409, 'duplicate')).toContain(added.body.speech.id);
  });

  it('refuses a page over the size limit, with or without a Content-Length', async () => {
    expect(await refused(server, pages.at(PAGE_PATHS.huge), 413, 'too_large')).toContain('larger than 1 MB');
    expect(await refused(server, pages.at(PAGE_PATHS.hugeChunked), 413, 'too_large')).toContain('larger than 1 MB');
  });

  it('refuses an address on a private range when the setting is off, without fetching it', async () => {
    const before = pages.requests.length;
    expect(await refused(strict, pages.at(PAGE_PATHS.statement), 403, 'address_not_allowed')).toContain('127.0.0.1 is a loopback address');
    expect(await refused(strict, 'http://192.168.1.20/speeches/draft', 403, 'address_not_allowed')).toContain('a private network address');
    expect(pages.requests.length).toBe(before);
  });

  it('refuses a redirect to a private or link-local address, even where the first address is allowed', async () => {
    expect(await refused(server, pages.at(PAGE_PATHS.toPrivate), 403, 'address_not_allowed')).toContain('10.0.0.1 is a private network address');
    expect(await refused(server, pages.at(PAGE_PATHS.toMetadata), 403, 'address_not_allowed')).toContain('169.254.169.254');
  });

  it('says what went wrong for every other failure, writing nothing', async () => {
    expect(await refused(server, pages.at(PAGE_PATHS.loop), 502, 'fetch_failed')).toContain('more than 3 redirects');
    expect(await refused(server, pages.at('/speeches/removed'), 502, 'fetch_failed')).toContain('404');
    expect(await refused(server, pages.at(PAGE_PATHS.slow), 502, 'fetch_failed')).toContain('within 3 s');
    expect(await refused(server, pages.at(PAGE_PATHS.image), 415, 'unsupported_type')).toContain('"image/png", not a speech');
    expect(await refused(server, 'ftp://127.0.0.1/speech.pdf', 400, 'bad_request')).toContain('only http:// and https://');
    expect(await refused(server, 'www.iom.int/speeches', 400, 'bad_request')).toContain('not a web address');
    const both = await postSpeech(server.server.url, { json: { url: pages.at(PAGE_PATHS.statement), text: 'Some text.' } });
    expect(both.body.error).toMatchObject({ code: 'bad_request', message: 'send either a url or a text, not both' });
    const badField = await postSpeech(server.server.url, { json: { url: pages.at(PAGE_PATHS.statement), colour: 'red' } });
    expect(badField.body.error.code).toBe('bad_request');
  });

  it('fetches nothing for a request without the admin token', async () => {
    const before = pages.requests.length;
    const reply = await addByAddress(server, pages.at(PAGE_PATHS.statement), { token: null });
    expect(reply.status).toBe(401);
    expect(pages.requests.length).toBe(before);
  });
});
