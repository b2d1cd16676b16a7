// Helpers for tests of adding speeches: the write requests of the HTTP API, and a digest of every file under a
// folder to prove that a refused or failed change left corpus/ and index/ exactly as they were.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readIndexManifest } from '../../server/adapters/index-store.ts';
import { readInt8, readSpeeches, vectorFiles } from '../../server/adapters/segment-files.ts';
import { passagesOf } from '../../server/core/passages.ts';

/** The admin token the tests' servers are started with. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A JSON reply: status and parsed body (null for 204). */
export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text), headers: response.headers };
}

/** What to send to `POST /api/speeches`: a file (multipart) or JSON, with metadata fields. */
export interface AddRequest {
  file?: { name: string; bytes: Uint8Array | string };
  json?: Record<string, unknown>;
  fields?: Record<string, string>;
  /** The bearer token; undefined sends {@link TEST_ADMIN_TOKEN}, null sends no Authorization header. */
  token?: string | null;
  dryRun?: boolean;
}

function authHeader(token: string | null | undefined): Record<string, string> {
  const value = token === undefined ? TEST_ADMIN_TOKEN : token;
  return value === null ? {} : { authorization: `Bearer ${value}` };
}

/** `POST /api/speeches[?dryRun=1]`. */
export async function postSpeech(baseUrl: string, request: AddRequest): Promise<Reply> {
  const url = `${baseUrl}/api/speeches${request.dryRun === true ? '?dryRun=1' : ''}`;
  const headers = authHeader(request.token);
  if (request.json !== undefined) {
    return reply(await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(request.json) }));
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(request.fields ?? {})) form.append(name, value);
  if (request.file !== undefined) form.append('file', new Blob([request.file.bytes as BlobPart]), request.file.name);
  return reply(await fetch(url, { method: 'POST', headers, body: form }));
}

/** `PATCH /api/speeches/:id` with a JSON body. */
export async function patchSpeech(baseUrl: string, id: string, fields: unknown, token?: string | null): Promise<Reply> {
  return reply(
    await fetch(`${baseUrl}/api/speeches/${id}`, {
      method: 'PATCH',
      headers: { ...authHeader(token), 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    }),
  );
}

/** `DELETE /api/speeches/:id`. */
export async function deleteSpeech(baseUrl: string, id: string, token?: string | null): Promise<Reply> {
  return reply(await fetch(`${baseUrl}/api/speeches/${id}`, { method: 'DELETE', headers: authHeader(token) }));
}

/**
 * The sha-256 of every file under `dir`, by relative path. Lock files (and their temporary files) are left out: one exists only while some
 * writer works (the server re-reads the corpus under the lock after every change it sees).
 */
export async function digestFolder(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    const name = path.basename(entry);
    // The lock and the temporary files it is made and taken over with (`.lock.<pid>.<random>.tmp`).
    if (name === '.lock' || name.startsWith('.lock.')) continue;
    const file = path.join(dir, entry);
    if ((await stat(file)).isFile()) files[entry] = createHash('sha256').update(await readFile(file)).digest('hex');
  }
  return files;
}

/** The vectors of the live index generation, by passage key, as stored on disk. */
export async function readIndexVectors(indexDir: string): Promise<Map<string, string>> {
  const manifest = await readIndexManifest(indexDir);
  const vectors = new Map<string, string>();
  if (manifest?.vectors === null || manifest === null) return vectors;
  const { tag, dimension, segments: withVectors } = manifest.vectors;
  for (const entry of manifest.segments.filter((segment) => withVectors.includes(segment.name))) {
    const keys = passagesOf(await readSpeeches(indexDir, entry.name)).map((p) => p.key);
    const files = vectorFiles(indexDir, entry.name, tag);
    const { owners } = await readInt8(files.int8);
    const rows = new Float32Array(new Uint8Array(await readFile(files.float32)).buffer);
    const removed = new Set(entry.removed);
    owners.forEach((owner, row) => {
      const key = keys[owner] ?? '';
      if (removed.has(key.slice(0, key.lastIndexOf('#')))) return;
      // Serialised as stored, so equality means the very same numbers, bit for bit.
      const vector = JSON.stringify(Array.from(rows.subarray(row * dimension, (row + 1) * dimension)));
      vectors.set(key, vectors.has(key) ? `${vectors.get(key)}|${vector}` : vector);
    });
  }
  return vectors;
}
