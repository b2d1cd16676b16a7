// `npm run add` with web addresses and folders, spawned for real against a temporary corpus: pages, a redirect and a
// PDF fetched from the tests' own page server on 127.0.0.1, refusals (too large, a redirect to a private address,
// loopback while the setting is off) that write nothing, and a folder added with one progress bar and a result
// per file.

import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISLAND_STATEMENT, makeSpeechDocx, makeSpeechPdf } from '../fixtures/make-fixtures.ts';
import { LABOUR_STATEMENT, WEB_PAGES_DIR } from '../fixtures/web-pages.ts';
import { runNpm, runScript } from './cli-runner.ts';
import { PAGE_PATHS, startPageServer, type PageServer } from './page-server.ts';
import { digestFolder } from './speech-requests.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

const STATEMENT_ID = 'idm-2021-05-18-statement-labour-mobility-decent';
const KEYNOTE_ID = 'idm-2019-10-15-keynote-address';
const ISLAND_ID = 'idm-2019-10-16-statement-disaster-displacement';
/** A fresh process transforms the PDF reader under tsx (seconds on a cold cache) while other tests share the cores. */
const CLI_TEST_TIMEOUT_MS = 240_000;

let shared: Workspace;
let pages: PageServer;
const files = { pdf: '', docx: '' };

beforeAll(async () => {
  shared = await createWorkspace();
  files.pdf = await makeSpeechPdf(path.join(shared.root, 'keynote.pdf'));
  files.docx = await makeSpeechDocx(path.join(shared.root, 'island.docx'), { speech: ISLAND_STATEMENT });
  pages = await startPageServer({ pdf: await readFile(files.pdf), docx: await readFile(files.docx) });
}, 60_000);

afterAll(async () => {
  await pages?.close();
  await shared?.remove();
});

/** The environment of a run against `ws`, without a model; `allow` is URL_FETCH_ALLOW_PRIVATE. */
function envOf(ws: Workspace, allow: string): NodeJS.ProcessEnv {
  return {
    CORPUS_DIR: ws.corpusDir,
    INDEX_DIR: ws.indexDir,
    MODEL_ID: 'none',
    INIT_CWD: ws.root,
    URL_FETCH_ALLOW_PRIVATE: allow,
    URL_FETCH_MAX_MB: '1',
    URL_FETCH_TIMEOUT_SECONDS: '10',
  };
}

describe.concurrent('npm run add with addresses and folders', () => {
  it('adds pages and a PDF by address, following a redirect; refuses a page too large and a redirect to a private address', async ({ expect }) => {
    const ws = await createWorkspace();
    try {
      const addresses = [PAGE_PATHS.redirect, PAGE_PATHS.pdf, PAGE_PATHS.huge, PAGE_PATHS.toPrivate].map((pathname) => pages.at(pathname));
      const run = await runScript('server/cli/add-speech.ts', addresses, envOf(ws, '127.0.0.1'));
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain(`added ${STATEMENT_ID}: ${LABOUR_STATEMENT.paragraphs} paragraphs (not indexed: no model`);
      expect(run.stdout).toContain('from html');
      expect(run.stdout).toMatch(/speaker: +Miriam Okonkwo-Lindqvist/);
      expect(run.stdout).toMatch(/place: +Geneva/);
      // The redirect's target, where the text came from, is the source.
      expect(run.stdout).toContain(`source:  ${pages.at(PAGE_PATHS.statement)}`);
      expect(run.stdout).toContain(`added ${KEYNOTE_ID}: 30 paragraphs`);
      expect(run.stdout).toContain(`source:  ${pages.at(PAGE_PATHS.pdf)}`);
      expect(run.stderr).toContain(`${pages.at(PAGE_PATHS.huge)}: not added: too_large: `);
      expect(run.stderr).toContain(`${pages.at(PAGE_PATHS.toPrivate)}: not added: address_not_allowed: 10.0.0.1 is a private network address`);
      expect(run.stdout).toContain('2 of 4 speeches added');
      // One bar for the run (on a log, a line per step).
      expect(run.stderr).toContain('add: speeches: 4/4');
      expect(run.stderr).not.toContain('internal');
      expect((await readdir(ws.corpusDir)).sort()).toEqual([
        'idm-2018-closing-remarks-swing.meta.json',
        'idm-2018-closing-remarks-swing.txt',
        `${KEYNOTE_ID}.meta.json`,
        `${KEYNOTE_ID}.txt`,
        `${STATEMENT_ID}.meta.json`,
        `${STATEMENT_ID}.txt`,
      ]);
      const meta = JSON.parse(await readFile(path.join(ws.corpusDir, `${STATEMENT_ID}.meta.json`), 'utf8')) as Record<string, string>;
      expect(meta).toEqual({ ...LABOUR_STATEMENT.meta, source: pages.at(PAGE_PATHS.statement) });
    } finally {
      await ws.remove();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('refuses an address on this machine when URL_FETCH_ALLOW_PRIVATE is off, through npm, fetching and writing nothing', async ({ expect }) => {
    const ws = await createWorkspace();
    try {
      const before = { corpus: await digestFolder(ws.corpusDir), index: await digestFolder(ws.indexDir) };
      // An address of its own, to tell whether the page server was asked for it (other tests use the server meanwhile).
      const address = pages.at(`${PAGE_PATHS.statement}?asked-by=npm-run-add`);
      const run = await runNpm('add', [address], envOf(ws, ''));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('not added: address_not_allowed: 127.0.0.1 is a loopback address (this machine); speeches are not fetched from this machine or its private network unless URL_FETCH_ALLOW_PRIVATE allows it');
      expect({ corpus: await digestFolder(ws.corpusDir), index: await digestFolder(ws.indexDir) }).toEqual(before);
      expect(pages.requests.filter((request) => request.includes('asked-by'))).toEqual([]);
    } finally {
      await ws.remove();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('adds every speech file of a folder with one progress bar, reporting each file, and leaves the rest out', async ({ expect }) => {
    const ws = await createWorkspace();
    try {
      const folder = path.join(ws.root, 'speeches');
      await mkdir(path.join(folder, 'drafts'), { recursive: true });
      await copyFile(files.pdf, path.join(folder, 'keynote.pdf'));
      await copyFile(files.docx, path.join(folder, 'island.docx'));
      await copyFile(path.join(WEB_PAGES_DIR, LABOUR_STATEMENT.file), path.join(folder, 'labour statement.html'));
      await writeFile(path.join(folder, 'harbour notes.txt'), 'Dock workers unload containers through the night.\n\nTheir contracts are written in a language they cannot read.\n');
      await writeFile(path.join(folder, 'photo.jpg'), 'not a speech');
      await writeFile(path.join(folder, '.notes.txt'), 'hidden');
      await writeFile(path.join(folder, 'drafts', 'draft.txt'), 'Date: 2020-01-01\n\nA draft that is not added.\n');

      const run = await runScript('server/cli/add-speech.ts', ['speeches/'], envOf(ws, ''));
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain('speeches/: 4 speech files (left out: 2 files of other types, 1 sub-folder)');
      expect(run.stdout).toContain(`added ${ISLAND_ID}: 10 paragraphs`);
      expect(run.stdout).toContain(`added ${KEYNOTE_ID}: 30 paragraphs`);
      expect(run.stdout).toContain(`added ${STATEMENT_ID}: 9 paragraphs`);
      expect(run.stdout).toContain('source:  labour statement.html');
      expect(run.stderr).toMatch(/speeches\/harbour notes\.txt: not added: bad_request: missing date/);
      expect(run.stdout).toContain('3 of 4 files added');
      const bar = run.stderr.split('\n').filter((line) => line.startsWith('add: speeches: '));
      expect(bar.at(0)).toBe('add: speeches: 0/4');
      expect(bar.at(-1)).toBe('add: speeches: 4/4');
      // No bar per file: the run has one.
      expect(run.stderr).not.toContain('index: embedding');
      const ids = (await readdir(ws.corpusDir)).filter((name) => name.endsWith('.txt')).sort();
      expect(ids).toEqual(['idm-2018-closing-remarks-swing.txt', `${KEYNOTE_ID}.txt`, `${ISLAND_ID}.txt`, `${STATEMENT_ID}.txt`]);
    } finally {
      await ws.remove();
    }
  }, CLI_TEST_TIMEOUT_MS);
});
