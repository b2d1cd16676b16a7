// End-to-end test of the chat page in real headless Chromium against the real server (lexical mode, temp corpus copy).
// Checks what a user sees: connection state, quoted + cited answers, the context view, keyboard use and phone layout.

import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.ts';
import { startServer } from '../../server/http/server.ts';
import type { Embedder } from '../../server/core/types.ts';
import { openQaService } from '../../server/qa-service.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const FORCED_LABOR_QUESTION = 'Is forced labor addressed in the GCM negotiations?';
const FORCED_LABOR_QUOTE = 'forced labor is being addressed in the current GCM negotiations';
/** How long the UI may take to react to anything (answers, reconnects); generous for slow CI machines. */
const UI_TIMEOUT_MS = 20_000;

let workDir = '';
let browser: Browser | null = null;
let service: Awaited<ReturnType<typeof openQaService>> | null = null;
let server: Awaited<ReturnType<typeof startServer>> | null = null;
let baseUrl = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required for the browser test but was not found at ${CHROMIUM_PATH} (apt-get install chromium).`);
  }
  workDir = await mkdtemp(path.join(os.tmpdir(), 'idm-browser-test-'));
  const clientDir = path.join(workDir, 'client');
  const corpusDir = path.join(workDir, 'corpus');
  const indexDir = path.join(workDir, 'index');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  await mkdir(indexDir, { recursive: true });
  await buildClient({ outDir: clientDir });
  service = await openQaService({ corpusDir, indexDir, loadEmbedder: null });
  server = await startServer({ service, host: '127.0.0.1', port: 0, clientDir });
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await service?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 60_000);

/** Opens the chat page in a fresh page and waits until it is connected. */
async function openChat(options: { viewport?: { width: number; height: number }; url?: string } = {}): Promise<Page> {
  if (!browser) throw new Error('browser did not start');
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(options.url ?? baseUrl);
  await expect.poll(() => page.getByText('Connected', { exact: true }).isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
  return page;
}

function questionBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Your question' });
}

/** Types a question and presses Enter, as a user would. */
async function ask(page: Page, question: string): Promise<void> {
  await questionBox(page).fill(question);
  await questionBox(page).press('Enter');
}

/** The quoted-passage list item containing `quote`, once it has appeared. */
async function passageWith(page: Page, quote: string): Promise<Locator> {
  const passage = page.getByRole('list', { name: 'Quoted passages' }).getByRole('listitem').filter({ hasText: quote }).first();
  await passage.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return passage;
}

/** A stand-in model that hashes words into small unit vectors: enough for the service to switch to hybrid mode. */
function hashingEmbedder(): Embedder {
  const dimension = 32;
  const embedOne = (text: string): number[] => {
    const vector = new Array<number>(dimension).fill(0);
    for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
      let hash = 0;
      for (const char of word) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
      vector[hash % dimension] = (vector[hash % dimension] ?? 0) + 1;
    }
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector.map((_, i) => (i === 0 ? 1 : 0)) : vector.map((value) => value / norm);
  };
  return { modelId: 'test/hashing-embedder', dimension, embed: async (texts) => texts.map(embedOne) };
}

async function getJson(urlPath: string): Promise<unknown> {
  const response = await fetch(`${baseUrl}${urlPath}`);
  expect(response.ok, `GET ${urlPath} answered ${response.status}`).toBe(true);
  return response.json();
}

describe('chat page in Chromium', () => {
  afterEach(() => {
    // Any script error in the page fails the test that caused it.
    const errors = pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('shows the connection state and, in lexical mode, says answers use keyword search', async () => {
    const page = await openChat();
    const notice = page.getByRole('note');
    await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    const text = (await notice.textContent()) ?? '';
    expect(text).toMatch(/keyword search/i);
    expect(text).toMatch(/language model is not loaded/i);
    expect(await page.getByText('Keyword search only', { exact: true }).isVisible()).toBe(true);
    await page.close();
  }, 60_000);

  it('answers with a quoted passage, highlighted with <mark>, cited, and rendered strictly as text', async () => {
    const page = await openChat();
    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    const quote = passage.locator('blockquote');
    expect(await quote.locator('mark').count()).toBeGreaterThan(0);

    const citation = passage.getByRole('button');
    const citationText = (await citation.textContent()) ?? '';
    expect(citationText).toContain('William Lacy Swing');
    expect(citationText).toContain('27 March 2018');
    expect(citationText).toContain('¶');

    // The rendered quote must be the paragraph verbatim, with no elements but <mark> — server text is never parsed as HTML.
    const speeches = (await getJson('/api/speeches')) as Array<{ id: string; speaker: string }>;
    const speech = speeches.find((candidate) => candidate.speaker === 'William Lacy Swing');
    expect(speech, 'speech by William Lacy Swing listed').toBeDefined();
    const detail = (await getJson(`/api/speeches/${encodeURIComponent(speech?.id ?? '')}`)) as { paragraphs: Array<{ n: number; text: string }> };
    const paragraph = detail.paragraphs.find((candidate) => candidate.text.includes(FORCED_LABOR_QUOTE));
    expect(paragraph, 'quoted paragraph present in the speech').toBeDefined();
    expect(await quote.evaluate((node) => node.textContent)).toBe(paragraph?.text);
    expect(await quote.evaluate((node) => [...node.querySelectorAll('*')].every((child) => child.tagName === 'MARK'))).toBe(true);
    expect(citationText.replace(/\s/g, ' ')).toContain(`¶ ${paragraph?.n}`);
    expect(await page.locator('main script').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('opens the cited paragraph in its speech and closes it with Escape, returning focus', async () => {
    const page = await openChat();
    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    const citation = passage.getByRole('button');
    const cited = Number(/¶\s*(\d+)/.exec((await citation.textContent()) ?? '')?.[1]);
    await citation.click();

    const dialog = page.getByRole('dialog');
    const current = dialog.locator('[aria-current="true"]');
    await current.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await current.textContent()).toContain(FORCED_LABOR_QUOTE);
    expect(await current.textContent()).toMatch(/cited paragraph/i);
    await expect.poll(() => current.evaluate((node) => node.getBoundingClientRect().top >= 0 && node.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
    expect(await dialog.textContent()).toContain('William Lacy Swing');
    expect(await dialog.textContent()).toContain('27 March 2018');
    const shown = (await dialog.getByRole('listitem').allTextContents()).map((text) => Number(/¶\s*(\d+)/.exec(text)?.[1]));
    expect(shown).toContain(cited);
    expect(shown.some((n) => n === cited - 1 || n === cited + 1)).toBe(true);
    expect(shown.length).toBeLessThanOrEqual(5);

    await dialog.getByRole('button', { name: /whole speech/i }).click();
    await expect.poll(() => dialog.getByRole('listitem').count()).toBeGreaterThan(shown.length);

    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => citation.evaluate((node) => node === document.activeElement)).toBe(true);
    await page.close();
  }, 60_000);

  it('says plainly when no relevant passage is found', async () => {
    const page = await openChat();
    await ask(page, 'What is the capital of Mongolia?');
    await page.getByText(/no relevant passage was found in the speeches/i).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await page.getByRole('list', { name: 'Quoted passages' }).count()).toBe(0);
    await page.close();
  }, 60_000);

  it('inserts a new line on Shift+Enter instead of sending', async () => {
    const page = await openChat();
    const box = questionBox(page);
    await box.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await box.inputValue()).toBe('first line\nsecond line');
    expect(await page.getByRole('log').getByRole('article').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('keeps a question asked while disconnected and answers it after reconnecting', async () => {
    const page = await openChat();
    if (!server || !service) throw new Error('server did not start');
    const { port } = server;
    await server.close();
    server = null;
    await page.getByText('Reconnecting…', { exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await ask(page, FORCED_LABOR_QUESTION);
    await page.getByText(/waiting for the connection/i).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    // Same port, as a restarted server would have; the page must find it again on its own.
    server = await startServer({ service, host: '127.0.0.1', port, clientDir: path.join(workDir, 'client') });
    await passageWith(page, FORCED_LABOR_QUOTE);
    expect(await page.getByText('Connected', { exact: true }).isVisible()).toBe(true);
    await page.close();
  }, 60_000);

  it('drops the keyword-search notice when the server says the model has loaded', async () => {
    let releaseModel: () => void = () => undefined;
    const modelGate = new Promise<void>((resolve) => {
      releaseModel = resolve;
    });
    const hybridService = await openQaService({
      corpusDir: path.join(workDir, 'corpus'),
      indexDir: path.join(workDir, 'hybrid-index'),
      loadEmbedder: async () => {
        await modelGate;
        return hashingEmbedder();
      },
    });
    const hybridServer = await startServer({ service: hybridService, host: '127.0.0.1', port: 0, clientDir: path.join(workDir, 'client') });
    try {
      const page = await openChat({ url: `http://127.0.0.1:${hybridServer.port}` });
      const notice = page.getByRole('note');
      await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
      releaseModel();
      await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(false);
      expect(await page.getByText('Semantic + keyword search', { exact: true }).isVisible()).toBe(true);
      await page.close();
    } finally {
      releaseModel();
      await hybridServer.close();
      await hybridService.close();
    }
  }, 60_000);

  it('fits a 375px-wide phone screen without horizontal overflow', async () => {
    const page = await openChat({ viewport: { width: 375, height: 700 } });
    const overflow = () => page.evaluate(() => (document.scrollingElement?.scrollWidth ?? Infinity) - 375);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await passage.getByRole('button').click();
    await page.getByRole('dialog').locator('[aria-current="true"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.close();
  }, 60_000);

});
