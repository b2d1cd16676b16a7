// Adding a speech by its web address from the chat page, in real headless Chromium against the real server, which
// fetches from the tests' own page server on 127.0.0.1: the address field, the review of what the page said, the
// save, an answer from the new speech, and the refusals a person may meet, explained.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowance } from '../../server/adapters/address-policy.ts';
import { CLIMATE_KEYNOTE, ISLAND_STATEMENT, makeSpeechDocx, makeSpeechPdf } from '../fixtures/make-fixtures.ts';
import { LABOUR_STATEMENT } from '../fixtures/web-pages.ts';
import { ask, openChat, passageWith, startBrowserHarness, UI_TIMEOUT_MS, type BrowserHarness, type ServedCorpus } from './browser-harness.ts';
import { PAGE_PATHS, startPageServer, type PageServer } from './page-server.ts';

const ADMIN_TOKEN = 'browser-address-admin-token-0123456789';

let harness: BrowserHarness;
let corpus: ServedCorpus;
let pages: PageServer;

beforeAll(async () => {
  harness = await startBrowserHarness('browser-address');
  const pdf = await readFile(await makeSpeechPdf(path.join(harness.workDir, 'keynote.pdf')));
  const docx = await readFile(await makeSpeechDocx(path.join(harness.workDir, 'island.docx'), { speech: ISLAND_STATEMENT }));
  pages = await startPageServer({ pdf, docx });
  corpus = await harness.serve('address', {
    adminToken: ADMIN_TOKEN,
    webFetch: { limits: { allowPrivate: parseAllowance('127.0.0.1'), timeoutMs: 5_000, maxBytes: 1024 * 1024, maxRedirects: 3 } },
  });
}, 180_000);

afterAll(async () => {
  await harness?.close();
  await pages?.close();
}, 60_000);

async function openPanel(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Add a speech' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a speech' });
  await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await dialog.getByLabel('Admin token', { exact: true }).fill(ADMIN_TOKEN);
  return dialog;
}

/** Types `address` into the panel's address field and asks for the page to be read, as a person would. */
async function readAddress(dialog: Locator, address: string): Promise<void> {
  await dialog.getByLabel('Or its web address', { exact: true }).fill(address);
  await dialog.getByRole('button', { name: 'Read the page' }).click();
}

const field = (dialog: Locator, label: string): Locator => dialog.getByLabel(label, { exact: true });

describe('adding a speech by its address in Chromium', () => {
  afterEach(() => {
    expect(harness.pageErrors.splice(0)).toEqual([]);
  });

  it('reads the page at an address, shows what it found for review, saves it, and answers from it', async () => {
    const page = await openChat(harness, corpus.url);
    const dialog = await openPanel(page);
    const address = pages.at(PAGE_PATHS.statement);
    await readAddress(dialog, address);

    await field(dialog, 'Title').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const { meta } = LABOUR_STATEMENT;
    for (const [label, value] of [
      ['Title', meta.title],
      ['Speaker', meta.speaker],
      ['Role', meta.role],
      ['Event', meta.event],
      ['Date', meta.date],
      ['Place', meta.place],
      ['Source', address],
    ] as const) {
      expect(await field(dialog, label).inputValue(), label).toBe(value);
    }
    expect(await dialog.getByRole('status').textContent()).toContain(`“${address}” (Web page): ${LABOUR_STATEMENT.paragraphs} paragraphs found.`);
    // The address and the file chooser give way to the review.
    expect(await dialog.getByLabel('Or its web address', { exact: true }).isVisible()).toBe(false);
    expect(await dialog.getByRole('button', { name: 'Use another address' }).isVisible()).toBe(true);
    expect(corpus.service.listSpeeches()).toHaveLength(1);

    await field(dialog, 'Event').fill('International Dialogue on Migration 2021');
    await dialog.getByRole('button', { name: 'Save speech' }).click();
    const success = dialog.getByRole('region', { name: 'Speech added' });
    await success.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const added = corpus.service.listSpeeches().find((speech) => speech.title === meta.title);
    expect(added).toMatchObject({ event: 'International Dialogue on Migration 2021', source: address, paragraphs: LABOUR_STATEMENT.paragraphs });
    expect(await success.textContent()).toContain(added?.id);

    await dialog.getByRole('button', { name: 'Ask about this speech' }).click();
    await ask(page, 'Who should pay the cost of recruitment?');
    const passage = await passageWith(page, 'the employer, and not the worker, pays the cost of recruitment');
    expect(await passage.textContent()).toContain(meta.title);
    await page.close();
  }, 120_000);

  it('explains what is wrong with an address: not one, a redirect to a private address, a page too large; then reads a PDF', async () => {
    const page = await openChat(harness, corpus.url, { viewport: { width: 375, height: 700 } });
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    const dialog = await openPanel(page);
    const alert = dialog.getByRole('alert');
    const addressField = dialog.getByLabel('Or its web address', { exact: true });

    await readAddress(dialog, 'www.iom.int/speeches');
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toContain('is not a web address; write it whole, starting with https://');
    expect(posts).toEqual([]);
    await expect.poll(() => addressField.evaluate((node) => node === document.activeElement)).toBe(true);

    await readAddress(dialog, pages.at(PAGE_PATHS.toPrivate));
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toContain('The server does not fetch pages from this address.');
    expect(await alert.textContent()).toContain('10.0.0.1 is a private network address');
    expect(await alert.textContent()).toContain('URL_FETCH_ALLOW_PRIVATE');
    await expect.poll(() => addressField.evaluate((node) => node === document.activeElement)).toBe(true);

    await readAddress(dialog, pages.at(PAGE_PATHS.huge));
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toContain('The page is too large to add.');

    await readAddress(dialog, pages.at(PAGE_PATHS.pdf));
    await field(dialog, 'Title').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await alert.isVisible()).toBe(false);
    expect(await field(dialog, 'Speaker').inputValue()).toBe(CLIMATE_KEYNOTE.meta.speaker);
    expect(await field(dialog, 'Source').inputValue()).toBe(pages.at(PAGE_PATHS.pdf));
    expect(await dialog.getByRole('status').textContent()).toContain('(PDF): 30 paragraphs found.');
    // Fits the phone screen.
    expect(await page.evaluate(() => (document.scrollingElement?.scrollWidth ?? Infinity) - innerWidth)).toBeLessThanOrEqual(0);
    // "Use another address" goes back to the field, keeping the address to correct.
    await dialog.getByRole('button', { name: 'Use another address' }).click();
    await expect.poll(() => addressField.evaluate((node) => node === document.activeElement)).toBe(true);
    expect(await addressField.inputValue()).toBe(pages.at(PAGE_PATHS.pdf));
    await page.close();
  }, 120_000);
});
