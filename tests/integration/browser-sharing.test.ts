// Keeping and sharing answers in real headless Chromium against the real server (lexical mode): copying a quote
// as text and Markdown, permalinks to a paragraph on a fresh load, the conversation across a reload, a new
// conversation, the export as Markdown, long paragraphs folded, and the dismissible keyword-search notice.

import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AskFrame } from '../../server/core/protocol.ts';
import { ask, openChat, passageWith, startBrowserHarness, UI_TIMEOUT_MS, waitConnected, type BrowserHarness, type ServedCorpus } from './browser-harness.ts';

const SEED_ID = 'idm-2018-closing-remarks-swing';
const FORCED_LABOR_QUESTION = 'Is forced labor addressed in the GCM negotiations?';
const FORCED_LABOR_QUOTE = 'forced labor is being addressed in the current GCM negotiations';

/** One paragraph of about 1,700 characters, as in a real speech printed without paragraph breaks. */
const LONG_ID = 'idm-2016-10-11-harbour-crews';
const LEDGER_SENTENCE = 'The harbour ledger recorded every deckhand who never returned from the northern fishing grounds.';
const LONG_PARAGRAPH = [
  'Seasonal work at sea has drawn young men from inland villages to the coast for generations, and many of them arrive without contracts, without insurance and without any idea of the conditions that wait for them on board.',
  'Recruiters meet them at bus stations, promise wages that are rarely paid in full, and keep their identity papers until the season is over.',
  'Families at home wait for remittances that come late, come short, or do not come at all, and they borrow against money they may never see.',
  'Inspections are rare because the boats spend months far from any port, and the few inspectors there are cannot board vessels registered elsewhere.',
  LEDGER_SENTENCE,
  'Nobody was ever asked to account for those names, and the families of the missing were told only that the sea had taken them.',
  'Cooperation between the States where the workers come from, the States where the boats are registered and the States where the catch is landed is therefore essential.',
  'Shared registers of recruiters, contracts written in a language the worker can read, wages paid into accounts in the worker\'s own name and a telephone line that answers in his language would already change a great deal.',
  'Above all, those who lose a son or a brother at sea deserve to know what happened, and to receive what he was owed.',
  'Some of the fishing companies concerned have begun to publish the names of the agencies they recruit through, and a few unions now send organisers to the ports before the season opens.',
  'These are small steps, but they show that the silence around work at sea can be broken when the States, the companies and the workers themselves decide to break it together.',
].join(' ');
const LONG_SPEECH = {
  text: `Opening remarks on labour mobility at sea\n\n${LONG_PARAGRAPH}\n\nThank you for your attention to these questions today.\n`,
  meta: { title: 'Opening Remarks on Labour Mobility at Sea', speaker: 'A. Delegate', role: '', event: 'International Dialogue on Migration', date: '2016-10-11', place: 'Geneva', source: '' },
};

let harness: BrowserHarness;
let corpus: ServedCorpus;

beforeAll(async () => {
  harness = await startBrowserHarness('browser-sharing');
  corpus = await harness.serve('sharing', { speeches: { [LONG_ID]: LONG_SPEECH } });
}, 180_000);

afterAll(async () => {
  await harness?.close();
}, 60_000);

/** A page allowed to read the clipboard, as the copy buttons write it. */
async function openWithClipboard(url = corpus.url): Promise<Page> {
  const page = await openChat(harness, url, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.bringToFront();
  return page;
}

const clipboard = (page: Page): Promise<string> => page.evaluate(() => navigator.clipboard.readText());

/** The ask frames the page sends, across reloads. */
function recordAsks(page: Page): AskFrame[] {
  const asks: AskFrame[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"ask"')) asks.push(JSON.parse(payload) as AskFrame);
    }),
  );
  return asks;
}

describe('keeping and sharing answers in Chromium', () => {
  afterEach(() => {
    expect(harness.pageErrors.splice(0)).toEqual([]);
  });

  it('copies a quote with its citation as plain text and as Markdown, with a permalink to the paragraph', async () => {
    const page = await openWithClipboard();
    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    const paragraph = Number(/¶\s*(\d+)/.exec((await passage.getByRole('button', { name: /View in context/ }).textContent()) ?? '')?.[1]);
    const permalink = `${corpus.url}/speeches/${SEED_ID}#p${paragraph}`;

    await passage.getByRole('button', { name: 'Copy quote' }).click();
    await expect.poll(() => clipboard(page), { timeout: UI_TIMEOUT_MS }).toContain(FORCED_LABOR_QUOTE);
    const plain = await clipboard(page);
    expect(plain).toMatch(/^“.+”\n— Closing Remarks, International Dialogue on Migration 2018, William Lacy Swing, International Dialogue on Migration, 27 March 2018, UN Headquarters, New York, ¶\s\d+\n/);
    expect(plain.trimEnd().endsWith(permalink)).toBe(true);
    expect(await passage.getByRole('button', { name: 'Copied' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('#announcer').textContent()).toMatch(/copied/i);

    await passage.getByRole('button', { name: 'Copy as Markdown' }).click();
    await expect.poll(() => clipboard(page), { timeout: UI_TIMEOUT_MS }).toMatch(/^> /);
    const markdown = await clipboard(page);
    expect(markdown).toContain(FORCED_LABOR_QUOTE);
    expect(markdown).toContain(`> — *Closing Remarks, International Dialogue on Migration 2018*, William Lacy Swing`);
    expect(markdown).toContain(`([link](${permalink}))`);
    await page.close();
  }, 60_000);

  it('opens a permalink on a fresh load at its paragraph, highlighted, and offers it from the citation and the viewer', async () => {
    const page = await openWithClipboard(`${corpus.url}/speeches/${SEED_ID}#p12`);
    const dialog = page.getByRole('dialog');
    const current = dialog.locator('[aria-current="true"]');
    await current.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await current.getAttribute('id')).toBe('p12');
    expect(await current.textContent()).toMatch(/Linked paragraph/);
    expect(await current.evaluate((node) => getComputedStyle(node).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    await expect.poll(() => current.evaluate((node) => node.getBoundingClientRect().top >= 0 && node.getBoundingClientRect().bottom <= innerHeight)).toBe(true);

    await dialog.getByRole('button', { name: 'Copy link to this paragraph' }).click();
    await expect.poll(() => clipboard(page), { timeout: UI_TIMEOUT_MS }).toBe(`${corpus.url}/speeches/${SEED_ID}#p12`);
    // Each paragraph number is its own permalink.
    expect(await dialog.getByRole('link', { name: '¶ 13' }).getAttribute('href')).toBe(`/speeches/${SEED_ID}#p13`);
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');

    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    const link = passage.getByRole('link', { name: 'Link to this paragraph' });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(new RegExp(`^/speeches/${SEED_ID}#p\\d+$`));
    await passage.getByRole('button', { name: /View in context/ }).click();
    await dialog.locator('[aria-current="true"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    // The address bar shows the permalink while the viewer is open, so it can be copied from there too.
    expect(new URL(page.url()).pathname + new URL(page.url()).hash).toBe(href);
    await page.close();
  }, 60_000);

  it('keeps the conversation across a reload in the same tab, and starts a new one on request', async () => {
    let asks: AskFrame[] = [];
    const page = await openChat(harness, corpus.url, {
      beforeLoad: (opened) => {
        asks = recordAsks(opened);
      },
    });
    await ask(page, FORCED_LABOR_QUESTION);
    await passageWith(page, FORCED_LABOR_QUOTE);
    expect(asks).toHaveLength(1);

    await page.reload();
    await waitConnected(page);
    await passageWith(page, FORCED_LABOR_QUOTE);
    expect(await page.getByRole('log').getByRole('article').count()).toBe(1);
    expect(await page.getByRole('article').getByText(FORCED_LABOR_QUESTION).isVisible()).toBe(true);
    expect(await page.locator('#empty-state').isVisible()).toBe(false);
    // An answered question is shown as it was, not asked again.
    expect(asks).toHaveLength(1);
    // The next question gets an id of its own.
    await ask(page, 'What did IOM say about youth?');
    await expect.poll(() => page.getByRole('log').getByRole('article').count()).toBe(2);
    await expect.poll(() => asks.map((frame) => frame.id)).toEqual(['c1', 'c2']);

    await page.getByRole('button', { name: 'New conversation' }).click();
    expect(await page.getByRole('log').getByRole('article').count()).toBe(0);
    expect(await page.locator('#empty-state').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'New conversation' }).isVisible()).toBe(false);
    await page.reload();
    await waitConnected(page);
    expect(await page.getByRole('log').getByRole('article').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('exports the conversation as Markdown with every passage and its citation', async () => {
    const page = await openChat(harness, corpus.url);
    await ask(page, FORCED_LABOR_QUESTION);
    await passageWith(page, FORCED_LABOR_QUOTE);
    await ask(page, 'What is the capital of Mongolia?');
    await page.getByText(/no relevant passage was found/i).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const shown = await page.getByRole('list', { name: 'Quoted passages' }).getByRole('listitem').count();

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export as Markdown' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^idm-conversation-\d{4}-\d{2}-\d{2}\.md$/);
    const markdown = await readFile(await file.path(), 'utf8');
    expect(markdown).toContain(`## ${FORCED_LABOR_QUESTION}`);
    expect(markdown).toContain('## What is the capital of Mongolia?');
    expect(markdown).toContain('*No relevant passage was found in the speeches for this question.*');
    expect(markdown).toContain(FORCED_LABOR_QUOTE);
    // Every quoted passage, each with its citation and permalink.
    expect(markdown.match(/^> — \*.+\*, .*\(\[link\]\(http:\/\/127\.0\.0\.1:\d+\/speeches\/[a-z0-9-]+#p\d+\)\)$/gm)).toHaveLength(shown);
    await page.close();
  }, 60_000);

  it('folds a long paragraph around its highlighted sentence, with a button to show the whole paragraph', async () => {
    const page = await openChat(harness, corpus.url);
    await ask(page, 'Which deckhands did the harbour ledger record?');
    const passage = await passageWith(page, LEDGER_SENTENCE.slice(0, 40));
    const quote = passage.locator('blockquote');
    const folded = (await quote.textContent()) ?? '';
    expect(LONG_PARAGRAPH.length).toBeGreaterThan(1500);
    expect(folded.length).toBeLessThan(LONG_PARAGRAPH.length * 0.6);
    expect(await quote.locator('mark').first().textContent()).toContain('harbour ledger');
    expect(folded).toMatch(/^… .* …$/s);

    const toggle = passage.getByRole('button', { name: 'Show the whole paragraph' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await quote.textContent()).toBe(LONG_PARAGRAPH);
    expect(await passage.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    await page.close();
  }, 60_000);

  it('lets the keyword-search notice be dismissed, for the rest of the tab, and keeps it to one line on a phone', async () => {
    const page = await openChat(harness, corpus.url, { viewport: { width: 375, height: 700 } });
    const notice = page.getByRole('complementary', { name: 'Keyword search only' });
    await expect.poll(() => notice.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    const lineHeight = await notice.locator('.notice-text').evaluate((node) => parseFloat(getComputedStyle(node).lineHeight));
    expect(await notice.locator('.notice-text').evaluate((node) => node.getBoundingClientRect().height)).toBeLessThanOrEqual(lineHeight * 1.5);
    await notice.getByRole('button', { name: 'Dismiss the keyword-search notice' }).click();
    expect(await notice.isVisible()).toBe(false);
    await page.reload();
    await waitConnected(page);
    expect(await page.locator('#status').getByText('Keyword search only', { exact: true }).isVisible()).toBe(true);
    expect(await notice.isVisible()).toBe(false);
    await page.close();
  }, 60_000);
});
