// What the browser tests share: Debian's Chromium driven by playwright-core, a real server per corpus copy
// (lexical mode unless a model loader is given), the chat page opened and connected, and asking as a user does.

import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildClient } from '../../scripts/build-client.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import type { Embedder } from '../../server/core/types.ts';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import { openQaService, type QaService } from '../../server/qa-service.ts';
import type { SourceFetching } from '../../server/speech-source.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
/** How long the UI may take to react to anything (answers, reconnects); generous for slow CI machines. */
export const UI_TIMEOUT_MS = 20_000;

/** A served copy of the corpus. */
export interface ServedCorpus {
  url: string;
  port: number;
  corpusDir: string;
  service: QaService;
  /** Stops the server (the service stays open, so the same port can be served again). */
  stopServer(): Promise<void>;
  /** Serves the service again on the same port, as a restarted server would. */
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

/** A browser, a built client and a work folder for one test file. */
export interface BrowserHarness {
  browser: Browser;
  workDir: string;
  clientDir: string;
  /** Script errors of every page opened by {@link openChat}, for the test to check and clear. */
  pageErrors: string[];
  serve(
    name: string,
    options?: { speeches?: Record<string, { text: string; meta: Record<string, string> }>; loadEmbedder?: () => Promise<Embedder>; adminToken?: string; webFetch?: SourceFetching },
  ): Promise<ServedCorpus>;
  close(): Promise<void>;
}

/** Launches Chromium and builds the client into a fresh work folder. */
export async function startBrowserHarness(name: string): Promise<BrowserHarness> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required for the browser test but was not found at ${CHROMIUM_PATH} (apt-get install chromium).`);
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), `idm-${name}-`));
  const clientDir = path.join(workDir, 'client');
  await buildClient({ outDir: clientDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  const served: ServedCorpus[] = [];
  return {
    browser,
    workDir,
    clientDir,
    pageErrors: [],
    async serve(corpusName, options = {}) {
      const corpusDir = path.join(workDir, corpusName, 'corpus');
      const indexDir = path.join(workDir, corpusName, 'index');
      await cp(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
      await mkdir(indexDir, { recursive: true });
      for (const [id, speech] of Object.entries(options.speeches ?? {})) {
        await writeFile(path.join(corpusDir, `${id}.txt`), speech.text);
        await writeFile(path.join(corpusDir, `${id}.meta.json`), JSON.stringify(speech.meta));
      }
      const service = await openQaService({ corpusDir, indexDir, loadEmbedder: options.loadEmbedder ?? null, watch: null, webFetch: options.webFetch });
      const listen = (port: number) => startServer({ service, host: '127.0.0.1', port, clientDir, adminToken: options.adminToken ?? null });
      let server: RunningServer | null = await listen(0);
      const port = server.port;
      const corpus: ServedCorpus = {
        url: `http://127.0.0.1:${port}`,
        port,
        corpusDir,
        service,
        async stopServer() {
          await server?.close();
          server = null;
        },
        async restartServer() {
          server = await listen(port);
        },
        async close() {
          await server?.close();
          await service.close();
        },
      };
      served.push(corpus);
      return corpus;
    },
    async close() {
      await browser.close();
      for (const corpus of served) await corpus.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the chat page (or `url`, e.g. a permalink) in a fresh context and waits until it is connected.
 * @param options.beforeLoad runs on the page before it loads, e.g. to listen to its socket from the start.
 */
export async function openChat(
  harness: BrowserHarness,
  url: string,
  options: BrowserContextOptions & { beforeLoad?: (page: Page) => void | Promise<void> } = {},
): Promise<Page> {
  const { beforeLoad, ...contextOptions } = options;
  const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  page.on('pageerror', (error) => harness.pageErrors.push(error.message));
  // The browser may already be closing the context (at the end of the file): nothing is left to do then.
  page.on('close', () => void context.close().catch(() => undefined));
  await beforeLoad?.(page);
  await page.goto(url);
  await waitConnected(page);
  return page;
}

/** Waits until the status bar says "Connected". */
export async function waitConnected(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  await expect.poll(() => page.getByText('Connected', { exact: true }).isVisible(), { timeout }).toBe(true);
}

export function questionBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Your question' });
}

/** Types a question and presses Enter, as a user would. */
export async function ask(page: Page, question: string): Promise<void> {
  await questionBox(page).fill(question);
  await questionBox(page).press('Enter');
}

/** The quoted-passage list item containing `quote`, once it has appeared. */
export async function passageWith(page: Page, quote: string): Promise<Locator> {
  const passage = page.getByRole('list', { name: 'Quoted passages' }).getByRole('listitem').filter({ hasText: quote }).first();
  await passage.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return passage;
}
