// The chat socket belongs to the page, in real headless Chromium: a page served from another loopback port cannot
// open the server's socket (its Origin is refused), unless that origin is configured in ALLOWED_ORIGINS; the chat
// page served by the server itself connects (CSP connect-src 'self' covers its own socket).

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

let browser: Browser;
let chat: TestServer;
let otherSite: Server;
let otherOrigin = '';

/** A page of another site that tries the chat socket at `?ws=` and records what happened in `window.outcome`. */
const PROBE_PAGE = `<!doctype html><meta charset="utf-8"><title>other site</title><script>
const socket = new WebSocket(new URLSearchParams(location.search).get('ws'));
window.outcome = new Promise((resolve) => {
  socket.onmessage = (event) => { resolve('open: ' + JSON.parse(event.data).type); socket.close(); };
  socket.onclose = (event) => resolve('closed ' + event.code);
});
</script>`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is required for the browser test but was not found at ${CHROMIUM_PATH} (apt-get install chromium).`);
  otherSite = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(PROBE_PAGE);
  });
  await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
  otherOrigin = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
  chat = await startTestServer();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await chat?.stop();
  await new Promise((resolve) => otherSite?.close(resolve));
});

/** Opens the other site's probe page against `wsUrl`; resolves with what its socket did. */
async function probe(wsUrl: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(`${otherOrigin}/?ws=${encodeURIComponent(wsUrl)}`);
    return await page.evaluate(() => (window as unknown as { outcome: Promise<string> }).outcome);
  } finally {
    await page.close();
  }
}

describe('the chat socket from another origin in Chromium', () => {
  it('refuses a page served from another loopback port', { timeout: 30_000 }, async () => {
    // Refused during the handshake: the browser sees an abnormal close without ever opening.
    expect(await probe(chat.wsUrl)).toBe('closed 1006');
  });

  it('accepts that page once its origin is in ALLOWED_ORIGINS', { timeout: 30_000 }, async () => {
    const allowing = await startTestServer({ hostPolicy: { allowedOrigins: [otherOrigin], allowedHosts: [] } });
    try {
      expect(await probe(allowing.wsUrl)).toBe('open: ready');
    } finally {
      await allowing.stop();
    }
  });

  it("connects the chat page served by the server itself, under CSP connect-src 'self'", { timeout: 30_000 }, async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    try {
      await page.goto(chat.server.url);
      await page.getByText('Connected', { exact: false }).first().waitFor({ timeout: 20_000 });
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
