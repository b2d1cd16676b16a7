// Who may talk to the server, on a real server: the chat socket refuses pages of other origins (unless listed in
// ALLOWED_ORIGINS), every request naming a host name the server does not serve is refused (DNS rebinding), the CSP
// lets the page reach its own server only, and source maps are served only when configured.

import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRICT_HOST_POLICY } from '../../server/http/host-policy.ts';
import { startTestServer, TestClient, type TestServer } from './test-server.ts';

let strict: TestServer;
let configured: TestServer;
beforeAll(async () => {
  strict = await startTestServer({ hostPolicy: STRICT_HOST_POLICY });
  configured = await startTestServer({
    hostPolicy: { allowedOrigins: ['https://intranet.example.org'], allowedHosts: ['chat.example.org'] },
    serveSourceMaps: true,
  });
});
afterAll(async () => {
  await strict?.stop();
  await configured?.stop();
});

/** Opens the chat socket with `headers`; resolves with `open` or the HTTP status it was refused with. */
async function upgrade(url: string, headers: Record<string, string>): Promise<'open' | number> {
  try {
    const client = await TestClient.connect(url, { headers });
    client.close();
    return 'open';
  } catch (error) {
    return Number(/Unexpected server response: (\d+)/.exec((error as Error).message)?.[1] ?? -1);
  }
}

/** GET with a chosen Host header (fetch does not let a caller set one); resolves with status and body. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('the chat socket belongs to the page', () => {
  it('accepts its own pages (by Host), programs without Origin, and configured origins; refuses others with 403', async () => {
    const port = strict.server.port;
    expect(await upgrade(strict.wsUrl, {})).toBe('open');
    expect(await upgrade(strict.wsUrl, { origin: `http://127.0.0.1:${port}` })).toBe('open');
    for (const origin of [`http://127.0.0.1:${port + 1}`, `http://localhost:${port}`, 'https://evil.example', 'null', 'file://', 'chrome-extension://abc']) {
      expect({ origin, result: await upgrade(strict.wsUrl, { origin }) }).toEqual({ origin, result: 403 });
    }
    expect(await upgrade(configured.wsUrl, { origin: 'https://intranet.example.org' })).toBe('open');
    expect(await upgrade(configured.wsUrl, { origin: 'https://evil.example' })).toBe(403);
  });

  it('refuses a host name it does not serve (DNS rebinding), on the socket and on every route', async () => {
    const port = strict.server.port;
    // A rebinding page sends its own name as Host, and as Origin: Origin matches Host, Host does not pass.
    expect(await upgrade(strict.wsUrl, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).toBe(403);
    expect(await upgrade(strict.wsUrl, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe('open');
    expect(await upgrade(configured.wsUrl, { host: 'chat.example.org', origin: 'https://chat.example.org' })).toBe('open');
    for (const route of ['/', '/api/speeches', '/api/health', '/app.js']) {
      const rebound = await getWithHost(`${strict.server.url}${route}`, `evil.example:${port}`);
      expect({ route, status: rebound.status, code: JSON.parse(rebound.body).error.code }).toEqual({ route, status: 403, code: 'bad_origin' });
    }
    expect((await getWithHost(`${configured.server.url}/api/health`, 'chat.example.org')).status).toBe(200);
    expect((await getWithHost(`${strict.server.url}/api/health`, `[::1]:${port}`)).status).toBe(200);
    expect((await getWithHost(`${strict.server.url}/api/health`, `localhost:${port}`)).status).toBe(200);
  });

  it("sets a CSP that lets the page connect to its own server only ('self')", async () => {
    const csp = (await fetch(`${strict.server.url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toMatch(/connect-src[^;]*(ws:|wss:|\*)/);
  });

  it('serves source maps only when configured to', async () => {
    expect((await fetch(`${strict.server.url}/app.js`)).status).toBe(200);
    expect((await fetch(`${strict.server.url}/app.js.map`)).status).toBe(404);
    expect((await fetch(`${configured.server.url}/app.js.map`)).status).toBe(200);
  });
});
