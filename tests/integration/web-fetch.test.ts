// Fetching a speech by its address, against the tests' own page server on 127.0.0.1: documents as served and
// decompressed, redirects, every limit, and addresses refused before any connection is made, also after a redirect
// and when a name's addresses change between two lookups (DNS rebinding). Nothing leaves this machine.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowance } from '../../server/adapters/address-policy.ts';
import { fetchWebDocument, type HostResolver, type WebFetchLimits } from '../../server/adapters/web-fetch.ts';
import { AppError, type ErrorCode } from '../../server/core/errors.ts';
import { makeSpeechDocx, makeSpeechPdf } from '../fixtures/make-fixtures.ts';
import { LABOUR_STATEMENT, WEB_PAGES_DIR, CLOSING_REMARKS } from '../fixtures/web-pages.ts';
import { PAGE_PATHS, startPageServer, type PageServer } from './page-server.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

/** Loopback allowed (the page server is there), nothing else special. */
const LIMITS: WebFetchLimits = { allowPrivate: parseAllowance('127.0.0.1'), timeoutMs: 2_000, maxBytes: 1024 * 1024, maxRedirects: 3 };

let ws: Workspace;
let pages: PageServer;
let pdf: Uint8Array;

beforeAll(async () => {
  ws = await createWorkspace();
  pdf = await readFile(await makeSpeechPdf(path.join(ws.root, 'keynote.pdf')));
  const docx = await readFile(await makeSpeechDocx(path.join(ws.root, 'island.docx')));
  pages = await startPageServer({ pdf, docx });
}, 60_000);

afterAll(async () => {
  await pages?.close();
  await ws?.remove();
});

async function refusal(address: string, code: ErrorCode, options: { limits?: Partial<WebFetchLimits>; resolve?: HostResolver; signal?: AbortSignal } = {}): Promise<string> {
  const error: unknown = await fetchWebDocument(address, { ...LIMITS, ...options.limits }, options).then(() => expect.unreachable(`${address} should have been refused`), (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code, (error as AppError).message).toBe(code);
  return (error as AppError).message;
}

/** Requests the page server received while `work` ran. */
async function requestsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const before = pages.requests.length;
  await work();
  return pages.requests.slice(before);
}

describe('fetching a document by its address', () => {
  it('fetches a page as served, and a compressed one decompressed', async () => {
    const page = await fetchWebDocument(pages.at(PAGE_PATHS.statement), LIMITS);
    expect(page).toMatchObject({ address: pages.at(PAGE_PATHS.statement), mediaType: 'text/html', charset: 'utf-8' });
    expect(Buffer.from(page.bytes).equals(await readFile(path.join(WEB_PAGES_DIR, LABOUR_STATEMENT.file)))).toBe(true);
    const gzipped = await fetchWebDocument(pages.at(PAGE_PATHS.remarks), LIMITS);
    expect(Buffer.from(gzipped.bytes).equals(await readFile(path.join(WEB_PAGES_DIR, CLOSING_REMARKS.file)))).toBe(true);
    const document = await fetchWebDocument(pages.at(PAGE_PATHS.pdf), LIMITS);
    expect(document.mediaType).toBe('application/pdf');
    expect(Buffer.from(document.bytes).equals(pdf)).toBe(true);
  });

  it('follows a redirect and says where the document came from; refuses a chain longer than the limit', async () => {
    const page = await fetchWebDocument(pages.at(PAGE_PATHS.redirect), LIMITS);
    expect(page.address).toBe(pages.at(PAGE_PATHS.statement));
    const seen = await requestsDuring(async () => expect(await refusal(pages.at(PAGE_PATHS.loop), 'fetch_failed')).toContain('more than 3 redirects'));
    expect(seen).toEqual(['/loop/0', '/loop/1', '/loop/2', '/loop/3']);
    expect(await refusal(pages.at(PAGE_PATHS.redirect), 'fetch_failed', { limits: { maxRedirects: 0 } })).toContain('more than 0 redirects');
  });

  it('refuses a document over the size limit, declared or not, and one that takes longer than the time limit', async () => {
    expect(await refusal(pages.at(PAGE_PATHS.huge), 'too_large')).toContain('larger than 1 MB');
    expect(await refusal(pages.at(PAGE_PATHS.hugeChunked), 'too_large')).toContain('larger than 1 MB');
    const started = performance.now();
    expect(await refusal(pages.at(PAGE_PATHS.slow), 'fetch_failed', { limits: { timeoutMs: 1_000 } })).toContain('did not send the document within 1 s');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('says what went wrong: an error status, a refused connection, an address that is not http', async () => {
    expect(await refusal(pages.at('/no-such-speech'), 'fetch_failed')).toMatch(/answered 404 Not Found; check the address/);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await refusal(`http://127.0.0.1:${port}/speech`, 'fetch_failed')).toContain('refused the connection');
    expect(await refusal('ftp://127.0.0.1/speech.pdf', 'bad_request')).toContain('only http:// and https://');
    expect(await refusal(`http://user:secret@127.0.0.1:${port}/`, 'bad_request')).toContain('user name or password');
    expect(await refusal('not an address', 'bad_request')).toContain('not a web address');
    const resolve: HostResolver = async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    expect(await refusal('https://no-such-host.test/speech', 'fetch_failed', { resolve })).toContain('no-such-host.test: no such host');
  });

  it('stops when the caller aborts (shutdown)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    expect(await refusal(pages.at(PAGE_PATHS.slow), 'busy', { signal: controller.signal })).toContain('shutting down');
  });
});

describe('addresses that are not fetched', () => {
  it('refuses loopback, private, link-local and other special addresses unless allowed, before connecting', async () => {
    const none = { allowPrivate: parseAllowance('false') };
    const seen = await requestsDuring(async () => {
      expect(await refusal(pages.at(PAGE_PATHS.statement), 'address_not_allowed', { limits: none })).toMatch(/127\.0\.0\.1 is a loopback address .*URL_FETCH_ALLOW_PRIVATE/);
    });
    expect(seen).toEqual([]);
    for (const [address, words] of [
      ['http://10.1.2.3/', 'a private network address'],
      ['http://192.168.0.10/', 'a private network address'],
      ['http://172.20.0.5/', 'a private network address'],
      ['http://169.254.169.254/latest/meta-data/', 'a link-local address'],
      ['http://[::1]/', 'a loopback address'],
      ['http://[fd12::1]/', 'a private network address'],
      ['http://[::ffff:10.0.0.1]/', 'a private network address'],
      ['http://100.64.1.1/', 'carrier-grade NAT'],
      ['http://0.0.0.0/', 'the unspecified address'],
      // Written in hex, as some would try: the URL parser reads it as 127.0.0.2, which the check sees.
      ['http://0x7f.0.0.2/', 'a loopback address'],
    ] as const) {
      expect(await refusal(address, 'address_not_allowed', { limits: none }), address).toContain(words);
    }
    // Allowed ranges are exactly those: another loopback address is still refused.
    expect(await refusal('http://127.0.0.2:9/', 'address_not_allowed')).toContain('loopback');
  });

  it('checks every redirect: one to a private or metadata address is refused, and never fetched', async () => {
    expect(await refusal(pages.at(PAGE_PATHS.toPrivate), 'address_not_allowed')).toContain('10.0.0.1 is a private network address');
    expect(await refusal(pages.at(PAGE_PATHS.toMetadata), 'address_not_allowed')).toContain('169.254.169.254 is a link-local address');
  });

  it('checks every address a name resolves to, and connects to the address it checked (no DNS rebinding)', async () => {
    const port = new URL(pages.url).port;
    // A name no real resolver knows: fetching it works only because the connection goes to the checked address.
    const pinned: HostResolver = async (host) => (host === 'speeches.idm.test' ? ['127.0.0.1'] : Promise.reject(new Error(`unexpected lookup of ${host}`)));
    const page = await fetchWebDocument(`http://speeches.idm.test:${port}${PAGE_PATHS.statement}`, LIMITS, { resolve: pinned });
    expect(page.bytes.length).toBeGreaterThan(1000);
    const mixed: HostResolver = async () => ['127.0.0.1', '10.0.0.7'];
    expect(await refusal(`http://mixed.idm.test:${port}${PAGE_PATHS.statement}`, 'address_not_allowed', { resolve: mixed })).toContain('mixed.idm.test resolves to 10.0.0.7');
    // The first lookup says loopback (allowed), the next, after the redirect, a private address: refused then.
    let lookups = 0;
    const rebinding: HostResolver = async () => ((lookups += 1) === 1 ? ['127.0.0.1'] : ['10.0.0.8']);
    const seen = await requestsDuring(async () => {
      expect(await refusal(`http://rebind.idm.test:${port}${PAGE_PATHS.redirect}`, 'address_not_allowed', { resolve: rebinding })).toContain('rebind.idm.test resolves to 10.0.0.8');
    });
    expect(seen).toEqual([PAGE_PATHS.redirect]);
  });
});
