// The write routes of the speech API on a real server: adding from PDF, Word, text and JSON, the dry run for
// review, editing and removing, the admin token, safe ids, and connected sockets told of every change.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerFrame, CorpusFrame } from '../../server/core/protocol.ts';
import {
  CLIMATE_KEYNOTE,
  FIXTURE_META,
  FIXTURE_PARAGRAPH_COUNT,
  ISLAND_STATEMENT,
  makeSpeechDocx,
  makeSpeechPdf,
  speechPlainText,
} from '../fixtures/make-fixtures.ts';
import { deleteSpeech, digestFolder, patchSpeech, postSpeech, TEST_ADMIN_TOKEN } from './speech-requests.ts';
import { startTestServer, TestClient, type TestServer } from './test-server.ts';

const SEED_PARAGRAPHS = 26;

/** Short speeches of their own words, so that none is a duplicate of another. */
const HEADER_BLOCK = [
  'Title: Migration and Climate in the Pacific',
  'Speaker: Mele Tupou',
  'Role: Minister of Foreign Affairs',
  'Date: 2019-10-17',
  'Event: International Dialogue on Migration 2019',
  'Place: Geneva',
  'Source: https://example.org/idm/pacific',
].join('\n');
const PACIFIC_META = {
  title: 'Migration and Climate in the Pacific',
  speaker: 'Mele Tupou',
  role: 'Minister of Foreign Affairs',
  date: '2019-10-17',
  event: 'International Dialogue on Migration 2019',
  place: 'Geneva',
  source: 'https://example.org/idm/pacific',
};
const PACIFIC_PARAGRAPHS = [
  'Our atolls have long sent young sailors, nurses and teachers across the ocean, and their letters home carried news as much as money.',
  'Today the tides reach further inland every spring, and families weigh the graves of their grandparents against the safety of their children.',
  'We ask for partnerships that let people choose: to stay with dignity where the reef still protects them, or to move with rights where it no longer can.',
];
const HARBOUR_PARAGRAPHS = [
  'Dock workers in the northern harbour unload containers through the night, many of them recruited from villages two borders away.',
  'Their contracts are written in a language they cannot read, and their passports are too often held by the agency that hired them.',
];
const ORCHARD_PARAGRAPHS = [
  'Every autumn, seasonal pickers arrive in the apple orchards of the valley, sleeping in converted barns near the packing sheds.',
  'Growers who offered written contracts and fair housing kept their crews year after year, and harvest losses fell by a third.',
];
let running: TestServer;
let pdf: Uint8Array;
let docx: Uint8Array;

beforeAll(async () => {
  running = await startTestServer({ adminToken: TEST_ADMIN_TOKEN });
  pdf = await readFile(await makeSpeechPdf(path.join(running.workspace.root, 'keynote.pdf')));
  docx = await readFile(await makeSpeechDocx(path.join(running.workspace.root, 'island.docx'), { speech: ISLAND_STATEMENT }));
});
afterAll(async () => {
  await running?.stop();
});

const url = () => running.server.url;
const corpusDigest = () => digestFolder(running.workspace.corpusDir);

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(running.wsUrl);
  await client.next((frame) => frame.type === 'ready');
  return client;
}

describe('adding a speech over HTTP', () => {
  it('previews a PDF without writing: the metadata it would settle on, and the paragraph count', async () => {
    const before = await corpusDigest();
    const { status, body } = await postSpeech(url(), { file: { name: 'keynote.pdf', bytes: pdf }, dryRun: true });
    expect(status).toBe(200);
    expect(body).toEqual({
      speech: { id: 'idm-2019-10-15-keynote-address', ...FIXTURE_META, source: 'keynote.pdf', paragraphs: FIXTURE_PARAGRAPH_COUNT },
      detected: FIXTURE_META,
      format: 'pdf',
      dryRun: true,
      missing: [],
      unreadable: {},
    });
    expect(await corpusDigest()).toEqual(before);
    expect(running.service.status().speeches).toBe(1);
  });

  it('previews a text whose Date line cannot be read, saying what it reads and that the date is missing', async () => {
    const text = ['Title: Remarks on Crews at Sea', 'Speaker: William Lacy Swing, IOM Director General', 'Event: International Dialogue on Migration 2017, second session, Geneva', 'Date: not given on page', '', ...CLIMATE_KEYNOTE.paragraphs.slice(0, 2)].join('\n');
    const preview = await postSpeech(url(), { json: { text }, dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body.missing).toEqual(['date']);
    expect(preview.body.unreadable).toEqual({ date: 'not given on page' });
    expect(preview.body.speech).toMatchObject({ speaker: 'William Lacy Swing', role: 'IOM Director General', place: 'Geneva' });
    const refused = await postSpeech(url(), { json: { text } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('the text\'s "Date:" line reads "not given on page", which is not a date that can be read');
  });

  it('previews a text without a date, saying the date is missing, so the reviewer can give it', async () => {
    const text = CLIMATE_KEYNOTE.paragraphs.slice(0, 3).join('\n\n');
    const { status, body } = await postSpeech(url(), { json: { text, fileName: 'notes.txt' }, dryRun: true });
    expect(status).toBe(200);
    expect(body).toMatchObject({ speech: { id: '', date: '', title: 'notes', paragraphs: 3 }, missing: ['date'], dryRun: true });
  });

  it('adds a PDF, tells connected sockets, and answers from it at once', async () => {
    const client = await connect();
    const { status, body } = await postSpeech(url(), { file: { name: 'keynote.pdf', bytes: pdf } });
    expect(status).toBe(201);
    expect(body).toEqual({
      speech: { id: 'idm-2019-10-15-keynote-address', ...FIXTURE_META, source: 'keynote.pdf', paragraphs: FIXTURE_PARAGRAPH_COUNT },
      detected: FIXTURE_META,
      format: 'pdf',
    });
    const frame = (await client.next((f) => f.type === 'corpus')) as CorpusFrame;
    expect(frame).toEqual({ type: 'corpus', speeches: 2, paragraphs: SEED_PARAGRAPHS + FIXTURE_PARAGRAPH_COUNT });

    client.send({ type: 'ask', id: 'q1', question: 'How did community volunteers help before the cyclone made landfall?' });
    const answer = (await client.reply('q1')) as AnswerFrame;
    expect(answer.passages[0]).toMatchObject({ paragraph: 9, speech: { id: 'idm-2019-10-15-keynote-address', speaker: 'Ana Lucía Ferreira' } });
    client.close();

    const files = await readdir(running.workspace.corpusDir);
    expect(files).toContain('idm-2019-10-15-keynote-address.txt');
    expect(JSON.parse(await readFile(path.join(running.workspace.corpusDir, 'idm-2019-10-15-keynote-address.meta.json'), 'utf8'))).toEqual({
      ...FIXTURE_META,
      source: 'keynote.pdf',
    });
    const listed = (await (await fetch(`${url()}/api/speeches`)).json()) as Array<{ id: string }>;
    expect(listed.map((s) => s.id)).toEqual(['idm-2018-closing-remarks-swing', 'idm-2019-10-15-keynote-address']);
    const document = (await (await fetch(`${url()}/api/speeches/idm-2019-10-15-keynote-address`)).json()) as { paragraphs: Array<{ text: string }> };
    expect(document.paragraphs.map((p) => p.text)).toEqual(CLIMATE_KEYNOTE.paragraphs);
  });

  it('refuses the same speech again, as text with other whitespace or as Word, naming the speech already there', async () => {
    const before = await corpusDigest();
    const respaced = speechPlainText(CLIMATE_KEYNOTE).replace(/ /g, '  ').replace(/\n\n/g, '\n\n\n');
    for (const request of [
      { file: { name: 'keynote.pdf', bytes: pdf } },
      { file: { name: 'keynote.txt', bytes: respaced } },
      { json: { text: speechPlainText(CLIMATE_KEYNOTE, { headerBlock: true }) } },
      { file: { name: 'keynote.txt', bytes: respaced }, dryRun: true },
    ]) {
      const { status, body } = await postSpeech(url(), request);
      expect(status).toBe(409);
      expect(body.error.code).toBe('duplicate');
      expect(body.error.message).toContain('"idm-2019-10-15-keynote-address"');
      expect(body.error.message).toContain('Keynote Address');
    }
    expect(await corpusDigest()).toEqual(before);
  });

  it('adds a Word document with explicit fields winning over the detected ones, an empty one clearing it', async () => {
    expect(ISLAND_STATEMENT.meta.role).not.toBe('');
    const { status, body } = await postSpeech(url(), { file: { name: 'island.docx', bytes: docx }, fields: { title: 'Island Statement', place: 'Geneva', role: '' } });
    expect(status).toBe(201);
    expect(body.format).toBe('docx');
    expect(body.detected).toEqual(ISLAND_STATEMENT.meta);
    expect(body.speech).toEqual({
      id: 'idm-2019-10-16-island-statement',
      ...ISLAND_STATEMENT.meta,
      title: 'Island Statement',
      place: 'Geneva',
      role: '',
      source: 'island.docx',
      paragraphs: ISLAND_STATEMENT.paragraphs.length,
    });
  });

  it('adds JSON text with a header block, explicit values winning over it', async () => {
    const text = [HEADER_BLOCK, ...PACIFIC_PARAGRAPHS].join('\n\n');
    const { status, body } = await postSpeech(url(), { json: { text, place: 'New York' } });
    expect(status).toBe(201);
    expect(body.detected).toMatchObject(PACIFIC_META);
    expect(body.speech).toEqual({ id: 'idm-2019-10-17-migration-climate-pacific', ...PACIFIC_META, place: 'New York', paragraphs: PACIFIC_PARAGRAPHS.length });
    expect(body.format).toBe('txt');
  });

  it('adds a speech exactly once when the same one is sent twice at the same moment', async () => {
    const text = HARBOUR_PARAGRAPHS.join('\n\n');
    const replies = await Promise.all([1, 2].map(() => postSpeech(url(), { json: { text, title: 'Harbour Workers', date: '2019-10-19' } })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await readdir(running.workspace.corpusDir)).filter((f) => f.includes('harbour'))).toEqual([
      'idm-2019-10-19-harbour-workers.meta.json',
      'idm-2019-10-19-harbour-workers.txt',
    ]);
  });

  it('refuses a title or date sent empty even when the text has one, and writes nothing', async () => {
    const before = await corpusDigest();
    const text = [HEADER_BLOCK, 'A paragraph of its own about ferries between the islands and the people who crew them.'].join('\n\n');
    for (const field of ['title', 'date']) {
      const { status, body } = await postSpeech(url(), { file: { name: 'ferries.txt', bytes: text }, fields: { [field]: '' } });
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining(`missing ${field}`) });
    }
    expect(await corpusDigest()).toEqual(before);
  });

  it('refuses a speech without a date, naming the missing field, and writes nothing', async () => {
    const before = await corpusDigest();
    const { status, body } = await postSpeech(url(), { json: { text: 'A first paragraph that says something.\n\nA second one.', title: 'Untitled' } });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('date') });
    expect(await corpusDigest()).toEqual(before);
  });

  it.each([
    ['an unknown field', { json: { text: 'x', colour: 'red' } }, 'unknown field "colour"'],
    ['a bad date', { json: { text: 'x', date: '2019-02-30' } }, 'date:'],
    ['no text', { json: { title: 'x' } }, 'text:'],
    ['a text that is not a string', { json: { text: ['x'] } }, 'text:'],
    ['no file part', { fields: { title: 'x' } }, '"file"'],
    ['a multipart field with a bad date', { file: { name: 'a.txt', bytes: 'x' }, fields: { date: 'yesterday' } }, 'date:'],
  ])('answers %s with bad_request', async (_what, request, message) => {
    const { status, body } = await postSpeech(url(), request);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining(message) });
  });

  it('refuses a file in another field, a second file, a bad dryRun value, other bodies and malformed JSON', async () => {
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const other = new FormData();
    other.append('upload', new Blob(['text']), 'a.txt');
    const twice = new FormData();
    twice.append('file', new Blob(['one']), 'a.txt');
    twice.append('file', new Blob(['two']), 'b.txt');
    for (const body of [other, twice]) {
      const response = await fetch(`${url()}/api/speeches`, { method: 'POST', headers, body });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    const dryRun = await fetch(`${url()}/api/speeches?dryRun=maybe`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"text":"x"}' });
    expect(dryRun.status).toBe(400);
    const plain = await fetch(`${url()}/api/speeches`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'hello' });
    expect(plain.status).toBe(400);
    const broken = await fetch(`${url()}/api/speeches`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"text":' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('keeps every file inside corpus/ whatever the file name and title say', async () => {
    const outside = await digestFolder(running.workspace.root);
    const { status, body } = await postSpeech(url(), {
      file: { name: '../../../escape.txt', bytes: ORCHARD_PARAGRAPHS.join('\n\n') },
      fields: { title: '../../etc/passwd', date: '2019-10-18' },
    });
    expect(status).toBe(201);
    expect(body.speech.id).toBe('idm-2019-10-18-etc-passwd');
    expect(body.speech.source).toBe('escape.txt');
    const after = await digestFolder(running.workspace.root);
    const added = Object.keys(after).filter((file) => !(file in outside));
    // The speech's two files, and the index's new generation (its segment files and manifest), nothing else.
    expect(added.filter((file) => !file.startsWith('index/')).sort()).toEqual(['corpus/idm-2019-10-18-etc-passwd.meta.json', 'corpus/idm-2019-10-18-etc-passwd.txt']);
    expect(added.filter((file) => file.startsWith('index/')).every((file) => /^index\/seg-[\w-]+\.(json|lex|txt|fp|[0-9a-f]{12}\.(i8|f32))$/.test(file))).toBe(true);
  });
});

describe('editing and removing over HTTP', () => {
  it('edits metadata, and answers cite the new values', async () => {
    const { status, body } = await patchSpeech(url(), 'idm-2019-10-15-keynote-address', { title: 'Keynote on Climate and Mobility', role: '' });
    expect(status).toBe(200);
    expect(body.speech).toMatchObject({ id: 'idm-2019-10-15-keynote-address', title: 'Keynote on Climate and Mobility', role: '', paragraphs: FIXTURE_PARAGRAPH_COUNT });
    const meta = JSON.parse(await readFile(path.join(running.workspace.corpusDir, 'idm-2019-10-15-keynote-address.meta.json'), 'utf8'));
    expect(meta).toMatchObject({ title: 'Keynote on Climate and Mobility', role: '', date: '2019-10-15' });
    const answer = await running.service.ask('community volunteers cyclone landfall', { topK: 1 });
    expect(answer.passages[0]?.speech.title).toBe('Keynote on Climate and Mobility');
  });

  it.each([
    ['idm-2019-10-15-keynote-address', { date: '15/10/2019' }, 400, 'bad_request'],
    ['idm-2019-10-15-keynote-address', { title: '' }, 400, 'bad_request'],
    ['idm-2019-10-15-keynote-address', { id: 'other' }, 400, 'bad_request'],
    ['idm-2019-10-15-keynote-address', {}, 400, 'bad_request'],
    ['idm-2019-10-15-keynote-address', ['title'], 400, 'bad_request'],
    ['no-such-speech', { title: 'x' }, 404, 'not_found'],
    ['..%2F..%2Fpackage', { title: 'x' }, 400, 'bad_request'],
  ])('refuses PATCH %s %j with %i %s', async (id, fields, status, code) => {
    const reply = await patchSpeech(url(), id, fields);
    expect(reply.status).toBe(status);
    expect(reply.body.error.code).toBe(code);
  });

  it('removes a speech: 204, sockets told, gone from listings, answers and disk', async () => {
    const client = await connect();
    const before = running.service.status();
    const { status, body } = await deleteSpeech(url(), 'idm-2019-10-16-island-statement');
    expect(status).toBe(204);
    expect(body).toBeNull();
    expect((await client.next((f) => f.type === 'corpus')) as CorpusFrame).toEqual({
      type: 'corpus',
      speeches: before.speeches - 1,
      paragraphs: before.paragraphs - ISLAND_STATEMENT.paragraphs.length,
    });
    client.close();
    expect((await fetch(`${url()}/api/speeches/idm-2019-10-16-island-statement`)).status).toBe(404);
    expect((await readdir(running.workspace.corpusDir)).filter((f) => f.includes('island'))).toEqual([]);
    const answer = await running.service.ask('relocation graves churches fishing grounds', { topK: 3 });
    expect(answer.passages.map((p) => p.speech.id)).not.toContain('idm-2019-10-16-island-statement');
    expect((await deleteSpeech(url(), 'idm-2019-10-16-island-statement')).status).toBe(404);
    expect((await deleteSpeech(url(), 'Bad..Id')).status).toBe(400);
  });
});

describe('a metadata file broken by hand', () => {
  it('is named with its bad key in the reply to every write, and its speech can still be removed', async () => {
    const text = [
      'Fishing crews from the delta now spend half the year at sea far from home, under flags of states they have never visited.',
      'Unions and ports that share inspection records have found and freed crews held on board long after their contracts ended.',
    ].join('\n\n');
    const added = await postSpeech(url(), { json: { text, title: 'Crews at Sea', date: '2019-10-21' } });
    expect(added.status).toBe(201);
    const id: string = added.body.speech.id;
    await writeFile(path.join(running.workspace.corpusDir, `${id}.meta.json`), '{"title": "Crews at Sea", "date": 2019}\n');
    const message = `corpus/${id}.meta.json: "date" must be a date written YYYY-MM-DD`;

    const edit = await patchSpeech(url(), 'idm-2018-closing-remarks-swing', { place: 'Geneva' });
    expect(edit.status).toBe(500);
    expect(edit.body.error).toEqual({ code: 'corpus_invalid', message });
    const add = await postSpeech(url(), { json: { text: 'Another paragraph entirely, about ferries and the islanders who crew them.', title: 'Ferries', date: '2019-10-22' } });
    expect(add.body.error).toEqual({ code: 'corpus_invalid', message });
    expect((await deleteSpeech(url(), 'idm-2018-closing-remarks-swing')).body.error).toEqual({ code: 'corpus_invalid', message });

    expect((await deleteSpeech(url(), id)).status).toBe(204);
    expect((await readdir(running.workspace.corpusDir)).filter((f) => f.includes('crews'))).toEqual([]);
    expect((await patchSpeech(url(), 'idm-2018-closing-remarks-swing', { place: 'Geneva' })).status).toBe(200);
  });
});

describe('the admin token', () => {
  const routes = (base: string, token: string | null) => [
    () => postSpeech(base, { json: { text: 'x', date: '2019-01-01', title: 'x' }, token }),
    () => postSpeech(base, { json: { text: 'x', date: '2019-01-01', title: 'x' }, token, dryRun: true }),
    () => patchSpeech(base, 'idm-2018-closing-remarks-swing', { title: 'Changed' }, token),
    () => deleteSpeech(base, 'idm-2018-closing-remarks-swing', token),
  ];

  it('refuses every write without the token (401) or with a wrong one (401), and changes nothing', async () => {
    const before = await corpusDigest();
    for (const token of [null, 'wrong-token-0123456789', `${TEST_ADMIN_TOKEN}x`, TEST_ADMIN_TOKEN.slice(0, -1), '']) {
      for (const send of routes(url(), token)) {
        const { status, body, headers } = await send();
        expect(status).toBe(401);
        expect(body.error.code).toBe('unauthorized');
        expect(headers.get('www-authenticate')).toContain('Bearer');
      }
    }
    const basic = await fetch(`${url()}/api/speeches/idm-2018-closing-remarks-swing`, { method: 'DELETE', headers: { authorization: `Basic ${TEST_ADMIN_TOKEN}` } });
    expect(basic.status).toBe(401);
    expect(await corpusDigest()).toEqual(before);
  });

  it('accepts the right token (case-insensitive scheme) and keeps reading open without it', async () => {
    const response = await fetch(`${url()}/api/speeches?dryRun=1`, {
      method: 'POST',
      headers: { authorization: `bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Some paragraph of text.\n\nAnother paragraph.', title: 't', date: '2019-01-01' }),
    });
    expect(response.status).toBe(200);
    expect((await fetch(`${url()}/api/speeches`)).status).toBe(200);
    expect((await fetch(`${url()}/api/health`)).status).toBe(200);
  });

  it('answers 403 with how to enable writes when no ADMIN_TOKEN is set', async () => {
    const closed = await startTestServer({ watch: null });
    try {
      const before = await digestFolder(closed.workspace.corpusDir);
      for (const token of [null, TEST_ADMIN_TOKEN]) {
        for (const send of routes(closed.server.url, token)) {
          const { status, body } = await send();
          expect(status).toBe(403);
          expect(body.error.code).toBe('forbidden');
          expect(body.error.message).toContain('ADMIN_TOKEN');
        }
      }
      expect(await digestFolder(closed.workspace.corpusDir)).toEqual(before);
      expect((await fetch(`${closed.server.url}/api/speeches`)).status).toBe(200);
    } finally {
      await closed.stop();
    }
  });
});
