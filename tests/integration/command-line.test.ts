// The command line as a user meets it, each command spawned for real: --help everywhere, a user's mistake named
// with its fix and the right exit code (never `internal`), ids printed whole, --json, counts and warnings in words.

import net from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from './cli-runner.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

/** Every command, by its npm name and script. */
const COMMANDS: ReadonlyArray<[name: string, script: string]> = [
  ['ask', 'server/cli/ask.ts'],
  ['add', 'server/cli/add-speech.ts'],
  ['remove', 'server/cli/remove-speech.ts'],
  ['list', 'server/cli/list-speeches.ts'],
  ['index', 'server/cli/build-index.ts'],
  ['eval', 'server/cli/eval.ts'],
  ['bench', 'scripts/bench.ts'],
];
/** An id as long as the ids that used to be cut in `npm run list`. */
const LONG_ID = 'idm-2017-07-18-opening-remarks-international-dialogue-on-migration-in';

let ws: Workspace;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ws = await createWorkspace();
  await writeFile(path.join(ws.corpusDir, `${LONG_ID}.txt`), 'Migrants are agents of development in the places they leave and the places they reach.\n');
  await writeFile(path.join(ws.corpusDir, `${LONG_ID}.meta.json`), JSON.stringify({ title: 'Opening Remarks', speaker: 'William Lacy Swing', date: '2017-07-18' }));
  await mkdir(path.join(ws.root, 'speeches'));
  env = { CORPUS_DIR: ws.corpusDir, INDEX_DIR: ws.indexDir, MODEL_ID: 'none', INIT_CWD: ws.root };
});

afterAll(async () => {
  await ws?.remove();
});

describe.concurrent('the command line', () => {
  it.for(COMMANDS)('npm run %s -- --help prints its usage, options and what it does, and exits 0', { timeout: 60_000 }, async ([name, script], { expect }) => {
    const run = await runScript(script, ['--help'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^usage: npm run ${name}\\b`));
    expect(run.stdout).toContain('-h, --help');
    expect(run.stderr).toBe('');
  });

  it('names an unknown option and the likely one, with the usage, and exits 2', async ({ expect }) => {
    const run = await runScript('server/cli/add-speech.ts', ['speech.txt', '--titel', 'Remarks'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('npm run add: unknown option --titel (did you mean --title?)');
    expect(run.stderr).toContain('usage: npm run add -- <file|folder|address...>');
    expect(run.stderr).not.toContain('internal');
  }, 60_000);

  it('says a folder holds no speech files, which ones it would take, and that sub-folders are not searched', async ({ expect }) => {
    const run = await runScript('server/cli/add-speech.ts', ['speeches/'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('speeches/: not added: bad_request: "speeches/": the folder holds no speech files (plain text (.txt), Markdown (.md), PDF (.pdf), Word document (.docx) or web page (.html, .htm)); sub-folders are not searched');
    expect(run.stderr).not.toContain('internal');
  }, 60_000);

  it('says a question file for eval is missing, naming it', async ({ expect }) => {
    const run = await runScript('server/cli/eval.ts', ['no-such-questions.json', '--mode', 'lexical'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^bad_request: "no-such-questions\.json": no such file; check the name/);
    expect(run.stderr).not.toContain('internal');
  }, 60_000);

  it('refuses bad values and missing arguments as usage errors', async ({ expect }) => {
    const topK = await runScript('server/cli/ask.ts', ['labour', '--top-k', '20'], env);
    expect(topK.code).toBe(2);
    expect(topK.stderr).toContain('npm run ask: --top-k must be an integer from 1 to 10, not "20"');
    const none = await runScript('server/cli/remove-speech.ts', [], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('npm run remove: missing <speech-id...>');
  }, 60_000);

  it('names PORT when the port is already in use', async ({ expect }) => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const run = await runScript('server/main.ts', [], { ...env, PORT: String(port), MODEL_RETRY_SECONDS: '0' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`config_invalid: PORT: ${port} is already in use on 127.0.0.1`);
      expect(run.stderr).toContain(`PORT=${port + 1} npm start`);
      expect(run.stderr).not.toContain('internal');
    } finally {
      holder.close();
    }
  }, 60_000);

  it('lists ids whole, as remove takes them, with counts in words; --json gives every field', async ({ expect }) => {
    const list = await runScript('server/cli/list-speeches.ts', [], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${LONG_ID} +2017-07-18 +1 +Opening Remarks +William Lacy Swing`, 'm'));
    expect(list.stdout).not.toContain(`${LONG_ID.slice(0, 47)}…`);
    expect(list.stdout).toContain('2 speeches, 27 paragraphs');
    const json = await runScript('server/cli/list-speeches.ts', ['--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const speeches = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(speeches.map((speech) => speech.id)).toEqual([LONG_ID, 'idm-2018-closing-remarks-swing']);
    expect(speeches[0]).toEqual({ id: LONG_ID, title: 'Opening Remarks', speaker: 'William Lacy Swing', role: '', event: '', date: '2017-07-18', place: '', source: '', paragraphs: 1 });
  }, 60_000);

  it('says how to get the model, or silence the warning, when it cannot be loaded', async ({ expect }) => {
    const run = await runScript('server/cli/ask.ts', ['What did IOM say about forced labour?'], { ...env, MODEL_ID: '', MODEL_DIR: path.join(ws.root, 'no-model-here') });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('mode: "lexical"');
    expect(run.stderr).toContain('npm run model:fetch');
    expect(run.stderr).toContain('MODEL_DIR');
    expect(run.stderr).toContain('MODEL_ID=none');
    expect(run.stdout).toContain('forced labor');
    // Citations name only the fields a speech has.
    expect(run.stdout).not.toMatch(/, ,|; ;|, ;/);
  }, 60_000);
});
