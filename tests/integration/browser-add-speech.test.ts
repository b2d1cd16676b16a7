// End-to-end test of adding a speech from the chat page, in real headless Chromium against the real server
// (lexical mode, temporary corpus copy): the panel, the admin token, review and save, then asking with the filter.

import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.ts';
import type { AskFrame } from '../../server/core/protocol.ts';
import { startServer } from '../../server/http/server.ts';
import { openQaService } from '../../server/qa-service.ts';
import { CLIMATE_KEYNOTE, FIXTURE_PARAGRAPH_COUNT, ISLAND_STATEMENT, makeSpeechPdf, makeSpeechText } from '../fixtures/make-fixtures.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** How long the UI may take to react (uploads, answers); generous for slow CI machines. */
const UI_TIMEOUT_MS = 20_000;
/** Screenshots of the panel are written here when set (e.g. SCREENSHOT_DIR=/tmp/shots), for a person to look at. */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? '';

const ADMIN_TOKEN = 'browser-test-admin-token-0123456789';
const EDITED_TITLE = 'Migration in a Changing Climate';
/** Only the keynote fixture answers this; the seed speech never mentions the matrix. */
const KEYNOTE_QUESTION = 'What does the Displacement Tracking Matrix follow after disasters?';
const KEYNOTE_QUOTE = 'Displacement Tracking Matrix now follows movements after disasters';

type Service = Awaited<ReturnType<typeof openQaService>>;
type Server = Awaited<ReturnType<typeof startServer>>;

let workDir = '';
let browser: Browser | null = null;
const services: Service[] = [];
const servers: Server[] = [];
/** Writes allowed, with ADMIN_TOKEN. */
let adminUrl = '';
/** No ADMIN_TOKEN configured: adding is turned off. */
let closedUrl = '';
let closedCorpusDir = '';
const files = { keynotePdf: '', keynoteText: '', islandPdf: '' };
const pageErrors: string[] = [];

async function serve(name: string, adminToken: string | null): Promise<{ url: string; corpusDir: string }> {
  const corpusDir = path.join(workDir, name, 'corpus');
  const indexDir = path.join(workDir, name, 'index');
  await cp(path.join(repoRoot, 'corpus'), corpusDir, { recursive: true });
  await mkdir(indexDir, { recursive: true });
  const service = await openQaService({ corpusDir, indexDir, loadEmbedder: null, watch: null });
  services.push(service);
  const server = await startServer({ service, host: '127.0.0.1', port: 0, clientDir: path.join(workDir, 'client'), adminToken });
  servers.push(server);
  return { url: server.url, corpusDir };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required for the browser test but was not found at ${CHROMIUM_PATH} (apt-get install chromium).`);
  }
  workDir = await mkdtemp(path.join(os.tmpdir(), 'idm-browser-add-'));
  await buildClient({ outDir: path.join(workDir, 'client') });
  adminUrl = (await serve('admin', ADMIN_TOKEN)).url;
  const closed = await serve('closed', null);
  closedUrl = closed.url;
  closedCorpusDir = closed.corpusDir;
  files.keynotePdf = await makeSpeechPdf(path.join(workDir, 'climate-keynote.pdf'));
  files.keynoteText = await makeSpeechText(path.join(workDir, 'climate-keynote.txt'));
  files.islandPdf = await makeSpeechPdf(path.join(workDir, 'island-statement.pdf'), { speech: ISLAND_STATEMENT });
  if (SCREENSHOT_DIR) await mkdir(SCREENSHOT_DIR, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  for (const service of services) await service.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 60_000);

/** Opens the chat page in a fresh page (its own sessionStorage) and waits until it is connected. */
async function openChat(url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  if (!browser) throw new Error('browser did not start');
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  sentAsks.set(page, recordAsks(page));
  await page.goto(url);
  await expect.poll(() => page.getByText('Connected', { exact: true }).isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true);
  return page;
}

function panel(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Add a speech' });
}

async function openPanel(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Add a speech' }).click();
  const dialog = panel(page);
  await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return dialog;
}

/** Picks `file` through the "Choose a file…" button and the system file chooser, as a person would. */
async function chooseFile(page: Page, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await panel(page).getByRole('button', { name: 'Choose a file…' }).click();
  await (await chooser).setFiles(file);
}

/** Drops a file made in the page onto the drop zone, through a real DataTransfer. */
async function dropFile(page: Page, file: { name: string; bytes: number; type: string }): Promise<void> {
  const transfer = await page.evaluateHandle(({ name, bytes, type }) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    return data;
  }, file);
  const zone = panel(page).locator('[data-drop-zone]');
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
}

function field(page: Page, label: string): Locator {
  return panel(page).getByLabel(label, { exact: true });
}

function questionBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Your question' });
}

/** Asks `question` and returns the reply of that exchange once it has settled. */
async function ask(page: Page, question: string): Promise<Locator> {
  const before = await page.getByRole('log').getByRole('article').count();
  await questionBox(page).fill(question);
  await questionBox(page).press('Enter');
  const exchange = page.getByRole('log').getByRole('article').nth(before);
  const reply = exchange.locator('.reply');
  await expect.poll(() => reply.getAttribute('aria-busy'), { timeout: UI_TIMEOUT_MS }).toBeNull();
  return exchange;
}

/** The ask frames each open page has sent. */
const sentAsks = new WeakMap<Page, AskFrame[]>();

/** The ask frames the page sends, recorded from its WebSocket (listening from before the page connects). */
function recordAsks(page: Page): AskFrame[] {
  const asks: AskFrame[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const frame = JSON.parse(payload) as AskFrame;
      if (frame.type === 'ask') asks.push(frame);
    }),
  );
  return asks;
}

/** A pattern matching `text` anywhere, every character taken literally. */
function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => (document.scrollingElement?.scrollWidth ?? Infinity) - innerWidth);
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, name) });
}

describe('adding a speech in Chromium', () => {
  afterEach(() => {
    const errors = pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('explains how to turn adding on when the server has no admin token, and writes nothing', async () => {
    const before = (await readdir(closedCorpusDir)).sort();
    const page = await openChat(closedUrl);
    const dialog = await openPanel(page);
    await expect.poll(() => field(page, 'Admin token').evaluate((node) => node === document.activeElement)).toBe(true);
    await chooseFile(page, files.keynotePdf);
    const alert = dialog.getByRole('alert');
    await alert.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/adding speeches is turned off on this server/i);
    expect(text).toContain('ADMIN_TOKEN=');
    expect(text).toMatch(/enter the same token/i);
    expect(await dialog.locator('[data-review-form]').isVisible()).toBe(false);
    await screenshot(page, 'add-disabled-desktop.png');
    expect((await readdir(closedCorpusDir)).sort()).toEqual(before);

    // Escape closes the panel and gives focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => page.getByRole('button', { name: 'Add a speech' }).evaluate((node) => node === document.activeElement)).toBe(true);
    await page.close();
  }, 60_000);

  it('refuses unsupported and oversized files dropped on the zone before uploading them', async () => {
    const page = await openChat(adminUrl);
    const dialog = await openPanel(page);
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') uploads.push(request.url());
    });
    await dropFile(page, { name: 'notes.rtf', bytes: 100, type: 'application/rtf' });
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/“\.rtf” files cannot be added/);
    expect(await alert.textContent()).toMatch(/PDF \(\.pdf\), Word document \(\.docx\) or web page \(\.html, \.htm\)/);
    await dropFile(page, { name: 'huge.pdf', bytes: 21 * 1024 * 1024, type: 'application/pdf' });
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/largest file that can be added is 20 MB/);
    expect(uploads).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the detected metadata for review, fitting a phone screen', async () => {
    const page = await openChat(adminUrl, { width: 375, height: 700 });
    const dialog = await openPanel(page);
    await field(page, 'Admin token').fill(ADMIN_TOKEN);
    await chooseFile(page, files.islandPdf);
    await field(page, 'Title').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await field(page, 'Speaker').inputValue()).toBe(ISLAND_STATEMENT.meta.speaker);
    expect(await field(page, 'Date').inputValue()).toBe(ISLAND_STATEMENT.meta.date);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await dialog.evaluate((node) => node.scrollWidth <= node.clientWidth)).toBe(true);
    await screenshot(page, 'add-review-phone.png');
    await page.close();
  }, 60_000);

  it('adds a speech through the panel, then answers from it and filters it out again', async () => {
    const page = await openChat(adminUrl);
    const asks = sentAsks.get(page) ?? [];
    const dialog = await openPanel(page);

    // A wrong token is refused; the right one, entered in its place, lets "Try again" read the file.
    await field(page, 'Admin token').fill('not-the-admin-token-at-all');
    await chooseFile(page, files.keynotePdf);
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/admin token was not accepted/i);
    await field(page, 'Admin token').fill(ADMIN_TOKEN);
    await dialog.getByRole('button', { name: 'Try again' }).click();

    // The review: what the splitter found on the PDF's title page, in labelled, editable fields.
    await field(page, 'Title').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await alert.isVisible()).toBe(false);
    expect(await field(page, 'Title').inputValue()).toBe(CLIMATE_KEYNOTE.meta.title);
    expect(await field(page, 'Speaker').inputValue()).toBe(CLIMATE_KEYNOTE.meta.speaker);
    expect(await field(page, 'Role').inputValue()).toBe(CLIMATE_KEYNOTE.meta.role);
    expect(await field(page, 'Event').inputValue()).toBe(CLIMATE_KEYNOTE.meta.event);
    expect(await field(page, 'Date').inputValue()).toBe(CLIMATE_KEYNOTE.meta.date);
    expect(await field(page, 'Place').inputValue()).toBe(CLIMATE_KEYNOTE.meta.place);
    expect(await dialog.getByRole('status').textContent()).toContain(`${FIXTURE_PARAGRAPH_COUNT} paragraphs found`);
    await expect.poll(() => field(page, 'Title').evaluate((node) => node === document.activeElement)).toBe(true);
    await screenshot(page, 'add-review-desktop.png');

    await field(page, 'Title').fill(EDITED_TITLE);
    await dialog.getByRole('button', { name: 'Save speech' }).click();
    const success = dialog.getByRole('region', { name: 'Speech added' });
    await success.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const details = (await success.textContent()) ?? '';
    expect(details).toContain(EDITED_TITLE);
    expect(details).toContain(String(FIXTURE_PARAGRAPH_COUNT));
    const speeches = (await (await fetch(`${adminUrl}/api/speeches`)).json()) as Array<{ id: string; title: string }>;
    const added = speeches.find((speech) => speech.title === EDITED_TITLE);
    const seed = speeches.find((speech) => speech.title !== EDITED_TITLE);
    if (!added || !seed) throw new Error(`expected the seed and the added speech, got ${JSON.stringify(speeches)}`);
    expect(details).toContain(added.id);
    await screenshot(page, 'add-success-desktop.png');
    // The corpus frame updates the status bar.
    await expect.poll(() => page.locator('#corpus-text').textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^2 speeches/);

    // "Ask about this speech" closes the panel and restricts questions to it.
    await dialog.getByRole('button', { name: 'Ask about this speech' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => questionBox(page).evaluate((node) => node === document.activeElement)).toBe(true);
    const chip = page.locator('[data-filter-chip]');
    expect(await chip.textContent()).toContain(`Only “${EDITED_TITLE}”`);
    const answer = await ask(page, KEYNOTE_QUESTION);
    const passage = answer.getByRole('list', { name: 'Quoted passages' }).getByRole('listitem').filter({ hasText: KEYNOTE_QUOTE });
    await passage.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await passage.getByRole('button', { name: /View in context/ }).textContent()).toContain(EDITED_TITLE);
    expect(asks.at(-1)?.speechIds).toEqual([added.id]);

    // Restricted to the seed speech, the new one is no longer cited.
    await page.getByText('Filter', { exact: true }).click();
    const filter = page.getByRole('group', { name: 'Only these speeches' });
    await filter.getByRole('checkbox', { name: literally(EDITED_TITLE) }).uncheck();
    await filter.getByRole('checkbox', { name: literally(seed.title) }).check();
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await chip.textContent()).toContain(`Only “${seed.title}”`);
    await screenshot(page, 'add-filter-desktop.png');
    const filtered = await ask(page, KEYNOTE_QUESTION);
    expect(asks.at(-1)?.speechIds).toEqual([seed.id]);
    expect(await filtered.textContent()).not.toContain(EDITED_TITLE);
    expect(await filtered.textContent()).not.toContain(KEYNOTE_QUOTE);
    expect(await filtered.textContent()).toContain(`Searched: Only “${seed.title}”`);

    // Clearing the chip searches every speech again.
    await page.getByRole('button', { name: 'Clear the speech filter' }).click();
    expect(await chip.isVisible()).toBe(false);
    await ask(page, KEYNOTE_QUESTION);
    expect(asks.at(-1)?.speechIds).toBeUndefined();

    // The same speech again, as text this time, is refused and the message names the speech already there.
    await openPanel(page);
    await dialog.getByRole('button', { name: 'Add another speech' }).click();
    await chooseFile(page, files.keynoteText);
    await expect.poll(() => alert.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/already in the collection/i);
    expect(await alert.textContent()).toContain(added.id);
    await page.close();
  }, 120_000);
});
