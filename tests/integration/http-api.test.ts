// The HTTP API on a real server: health, speeches, speech by id, and JSON errors for bad or unknown paths.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.ts';

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

async function getJson(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${running.server.url}${path}`);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('HTTP API', () => {
  it('reports health with the mode, model and counts', async () => {
    const { status, body } = await getJson('/api/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', mode: 'lexical', model: null, speeches: 1, paragraphs: 26 });
  });

  it('lists the speeches with their metadata and paragraph counts', async () => {
    const { body } = await getJson('/api/speeches');
    expect(body).toEqual([
      expect.objectContaining({ id: 'idm-2018-closing-remarks-swing', speaker: 'William Lacy Swing', date: '2018-03-27', paragraphs: 26 }),
    ]);
  });

  it('returns one speech with its content paragraphs in order', async () => {
    const { status, body } = await getJson('/api/speeches/idm-2018-closing-remarks-swing');
    expect(status).toBe(200);
    expect(body.meta).toMatchObject({ title: expect.any(String), place: 'UN Headquarters, New York' });
    expect(body.paragraphs.map((p: { n: number }) => p.n)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(body.paragraphs[21].text).toContain('forced labor is being addressed');
  });

  it.each([
    ['/api/speeches/no-such-speech', 404, 'not_found'],
    ['/api/speeches/..%2F..%2Fpackage.json', 400, 'bad_request'],
    ['/api/speeches/..%2F..', 400, 'bad_request'],
    ['/api/speeches/%00', 400, 'bad_request'],
    ['/api/speeches/%E0%A4%A', 400, 'bad_request'],
    ['/api/speeches/Idm-2018', 400, 'bad_request'],
    ['/api/nothing-here', 404, 'not_found'],
  ])('answers %s with a JSON %i error', async (path, status, code) => {
    const response = await getJson(path);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
  });

  it('serves the chat page with a strict content security policy', async () => {
    const response = await fetch(`${running.server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('never serves files outside the client folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2Fserver%2Fconfig.ts']) {
      const response = await fetch(`${running.server.url}${path}`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await response.text()).not.toContain('"dependencies"');
    }
  });
});
