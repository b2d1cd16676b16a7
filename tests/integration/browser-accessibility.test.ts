// Accessibility of every screen of the chat page, checked by axe-core injected into real headless Chromium against
// the real server, at desktop and phone sizes: the empty page, answers, the speech viewer open, the add panel.
// Any serious or critical violation fails the test, and so does any of the two rules the issue named (`region` is
// only of moderate impact).

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ask, openChat, passageWith, startBrowserHarness, UI_TIMEOUT_MS, type BrowserHarness, type ServedCorpus } from './browser-harness.ts';

const FORCED_LABOR_QUESTION = 'Is forced labor addressed in the GCM negotiations?';
const FORCED_LABOR_QUOTE = 'forced labor is being addressed in the current GCM negotiations';
/** Rules that must pass whatever their impact: they were found on this page before. */
const ALWAYS_CHECKED = new Set(['region', 'scrollable-region-focusable']);
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 375, height: 700 } },
] as const;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

let harness: BrowserHarness;
let corpus: ServedCorpus;
let axeSource = '';

beforeAll(async () => {
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  harness = await startBrowserHarness('browser-a11y');
  corpus = await harness.serve('a11y');
}, 180_000);

afterAll(async () => {
  await harness?.close();
}, 60_000);

/** The serious and critical violations axe finds on the page as it is now (and any of {@link ALWAYS_CHECKED}), as lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's Content-Security-Policy does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(() => (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } }).axe.run(document).then((result) => result.violations))) as Violation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical' || ALWAYS_CHECKED.has(violation.id))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`);
}

describe.each(VIEWPORTS)('accessibility of every screen on $name', ({ viewport }) => {
  afterEach(() => {
    expect(harness.pageErrors.splice(0)).toEqual([]);
  });

  it('has no serious or critical axe violations: empty, answers, viewer open, add panel', async () => {
    const page = await openChat(harness, corpus.url, { viewport });
    // Keyword-search mode, so the notice is part of the empty screen.
    await page.locator('#lexical-notice').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await seriousViolations(page), 'empty page').toEqual([]);

    await ask(page, FORCED_LABOR_QUESTION);
    const passage = await passageWith(page, FORCED_LABOR_QUOTE);
    await ask(page, 'What is the capital of Mongolia?');
    await page.getByText(/no relevant passage was found/i).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await seriousViolations(page), 'answers').toEqual([]);

    await passage.getByRole('button', { name: /View in context/ }).click();
    const viewer = page.getByRole('dialog');
    await viewer.locator('[aria-current="true"]').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await seriousViolations(page), 'viewer open').toEqual([]);
    // Its body scrolls, so it can be reached and scrolled from the keyboard.
    expect(await viewer.locator('[data-viewer-body]').getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.isVisible()).toBe(false);

    await page.getByRole('button', { name: 'Add a speech' }).click();
    await page.getByRole('dialog', { name: 'Add a speech' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await seriousViolations(page), 'add panel').toEqual([]);
    await page.close();
  }, 90_000);
});
