// End-to-end test of the chat page in real headless Chromium against the real server (lexical mode, temp corpus copy).
// Checks what a user sees: connection state, quoted + cited answers, the context view, keyboard use and phone layout.

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_PROFILE } from '../../server/core/model-profiles.ts';
import type { Embedder } from '../../server/core/types.ts';
import { ask, openChat as openPage, passageWith, questionBox, startBrowserHarness, UI_TIMEOUT_MS, waitConnected, type BrowserHarness, type ServedCorpus } from './browser-harness.ts';

const FORCED_LABOR_QUESTION = 'Is forced labor addressed in the GCM negotiations?';
const FORCED_LABOR_QUOTE = 'forced labor is being addressed in the current GCM negotiations';

let harness: BrowserHarness;
let corpus: ServedCorpus;
let baseUrl = '';

beforeAll(async () => {
  harness = await startBrowserHarness('browser-test');
  corpus = await harness.serve('lexical');
  baseUrl = corpus.url;
}, 180_000);

afterAll(async () => {
  await harness?.close();
}, 60_000);

/** Opens the chat page in a fresh page and waits until it is connected. */
function openChat(options: { viewport?: { width: number; height: number }; url?: string; beforeLoad?: (page: Page) => void } = {}): Promise<Page> {
  const { url, ...rest } = options;
  return openPage(harness, url ?? baseUrl, rest);
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
  return {
    modelId: 'test/hashing-embedder',
    dimension,
    profile: DEFAULT_EMBEDDING_PROFILE,
    embedQueries: async (texts) => texts.map(embedOne),
    embedPassages: async (texts) => texts.map((text) => [embedOne(text)]),
  };
}

async function getJson(urlPath: string): Promise<unknown> {
  const response = await fetch(`${baseUrl}${urlPath}`);
  expect(response.ok, `GET ${urlPath} answered ${response.status}`).toBe(true);
  return response.json();
}

describe('chat page in Chromium', () => {
  afterEach(() => {
    // Any script error in the page fails the test that caused it.
    expect(harness.pageErrors.splice(0)).toEqual([]);
  });

  it('shows the connection state and, in lexical mode, says answers use keyword search', async () => {
    const page = await openChat();
    const notice = page.getByRole('complementary', { name: 'Keyword search only' });
    await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    const text = (await notice.textContent()) ?? '';
    expect(text).toMatch(/keyword search/i);
    expect(text).toMatch(/language model is not loaded/i);
    expect(await page.locator('#status').getByText('Keyword search only', { exact: true }).isVisible()).toBe(true);
    await page.close();
  }, 60_000);

  it('answers with a quoted passage, highlighted with <mark>, cited, and rendered strictly as text', async () => {
    const page = await openChat();
    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    const quote = passage.locator('blockquote');
    expect(await quote.locator('mark').count()).toBeGreaterThan(0);

    const citation = passage.getByRole('button', { name: /View in context/ });
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
    const citation = passage.getByRole('button', { name: /View in context/ });
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

  it('keeps a question asked while disconnected, and reconnects within about 2 s of the server coming back', async () => {
    const page = await openChat();
    // Every "next try in …" the status bar shows while the server is away.
    await page.evaluate(() => {
      const detail = document.getElementById('connection-detail');
      const seen: string[] = [];
      (window as unknown as { retryDetails: string[] }).retryDetails = seen;
      if (detail) new MutationObserver(() => seen.push(detail.textContent ?? '')).observe(detail, { childList: true, characterData: true, subtree: true });
    });
    await corpus.stopServer();
    await page.getByText('Reconnecting…', { exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await ask(page, FORCED_LABOR_QUESTION);
    await page.getByText(/waiting for the connection/i).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    // Away long enough for the backoff to reach its cap: several failed tries in a row.
    await expect.poll(() => page.evaluate(() => (window as unknown as { retryDetails: string[] }).retryDetails.filter(Boolean).length), { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(5);
    const details = await page.evaluate(() => (window as unknown as { retryDetails: string[] }).retryDetails.filter(Boolean));
    expect(details.every((text) => /^next try in [12] s$/.test(text)), details.join(' | ')).toBe(true);
    // Same port, as a restarted server would have; the page must find it again on its own, promptly.
    await corpus.restartServer();
    const restarted = Date.now();
    await waitConnected(page);
    // The cap is 2 s; the rest is room for a loaded machine. The former cap of 15 s could not meet this.
    expect(Date.now() - restarted).toBeLessThan(4_000);
    await passageWith(page, FORCED_LABOR_QUOTE);
    await page.close();
  }, 60_000);

  it('tries at once when the browser comes back online, the tab becomes visible, or Retry now is pressed', async () => {
    const away = await harness.serve('reconnect');
    // With the page's clock stopped, no backoff timer can fire: only those events can bring the connection back.
    const page = await openChat({ url: away.url, beforeLoad: (opened) => opened.clock.install() });
    await page.clock.pauseAt(Date.now() + 60_000);
    const triggers: Array<[string, () => Promise<unknown>]> = [
      ['online', () => page.evaluate(() => window.dispatchEvent(new Event('online')))],
      ['visibilitychange', () => page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))],
      ['Retry now', () => page.getByRole('button', { name: 'Retry now' }).click()],
    ];
    for (const [name, trigger] of triggers) {
      await away.stopServer();
      await page.getByText('Reconnecting…', { exact: true }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await away.restartServer();
      expect(await page.getByText('Reconnecting…', { exact: true }).isVisible(), name).toBe(true);
      await trigger();
      await waitConnected(page);
    }
    await page.close();
  }, 60_000);

  it('drops the keyword-search notice when the server says the model has loaded', async () => {
    let releaseModel: () => void = () => undefined;
    const modelGate = new Promise<void>((resolve) => {
      releaseModel = resolve;
    });
    const hybridCorpus = await harness.serve('hybrid', {
      loadEmbedder: async () => {
        await modelGate;
        return hashingEmbedder();
      },
    });
    try {
      const page = await openChat({ url: hybridCorpus.url });
      const notice = page.getByRole('complementary', { name: 'Keyword search only' });
      await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
      releaseModel();
      await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(false);
      expect(await page.getByText('Semantic + keyword search', { exact: true }).isVisible()).toBe(true);
      await page.close();
    } finally {
      releaseModel();
    }
  }, 60_000);

  it('fits a 375px-wide phone screen without horizontal overflow', async () => {
    const page = await openChat({ viewport: { width: 375, height: 700 } });
    const overflow = () => page.evaluate(() => (document.scrollingElement?.scrollWidth ?? Infinity) - 375);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await passage.getByRole('button', { name: /View in context/ }).click();
    await page.getByRole('dialog').locator('[aria-current="true"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.close();
  }, 60_000);

});
