// `npm run add -- <file|folder|address...> [--title T] [--speaker S] [--role R] [--date YYYY-MM-DD] [--event E]
// [--place P] [--source S]`: adds speeches from files, the speech files of folders, and web addresses to corpus/ and
// indexes only their paragraphs. Each one succeeds or fails alone.

import path from 'node:path';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig, NO_MODEL_HINT } from '../config.ts';
import { createCorpusEditor, type AddSpeechResult, type CorpusEditor, type SpeechSource } from '../corpus-editor.ts';
import { plural } from '../core/counts.ts';
import { toAppError } from '../core/errors.ts';
import { describeFormats, looksLikeWebAddress, MAX_SPEECH_FILE_BYTES } from '../core/source-formats.ts';
import { parseMetaFields } from '../core/speech-input.ts';
import { META_FIELDS, SPEECH_FIELDS, type MetaField, type MetaFields } from '../core/speech-meta.ts';
import type { Embedder } from '../core/types.ts';
import { embedderLoaderFor } from '../model-loaders.ts';
import { defineCommand, runCommand, type OptionSpec } from './command.ts';
import { listSpeechFolder, readInputFile } from './input-file.ts';
import { createModelDownloadDisplay, createProgressDisplay, type ProgressDisplay } from './progress.ts';

/** A command-line add waits this long for a server that is indexing. */
const LOCK_TIMEOUT_MS = 10 * 60_000;

/** One option per metadata field, from the field table. */
const FIELD_OPTIONS = Object.fromEntries(
  META_FIELDS.map((field) => [
    field,
    { type: 'string', value: SPEECH_FIELDS[field].kind === 'date' ? 'YYYY-MM-DD' : field.charAt(0).toUpperCase(), description: SPEECH_FIELDS[field].description },
  ]),
) as Record<MetaField, OptionSpec & { type: 'string' }>;

const ADD_COMMAND = defineCommand({
  name: 'add',
  summary: `Adds speeches to corpus/ and indexes only their paragraphs: files (${describeFormats()}, at most ${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB each), every such file in a folder, or web addresses (http:// or https://) of pages, PDFs and Word documents.`,
  args: '<file|folder|address...>',
  minArgs: 1,
  options: FIELD_OPTIONS,
  notes: [
    'Each field is taken from its option, else from the text (a "Title:", "Speaker:", "Date:" … header block, or the',
    "front matter; for a web page, its title, author and date), else from the file name (title, source); a web",
    'address is the source of what is fetched from it. A date is required. Options apply to every speech.',
    'A folder adds the speech files in it (not in its sub-folders), with one progress bar. File and folder names are',
    'relative to the folder the command is typed in. Each speech is added or refused on its own; the exit code is 1',
    'when any was refused. Addresses on this machine or a private network are refused unless URL_FETCH_ALLOW_PRIVATE',
    'allows them. Uses the model of npm start (MODEL_ID, MODEL_DIR); without one the speech is added and indexed',
    'when the model next loads.',
    '',
    'examples: npm run add -- speeches/keynote.pdf --event "International Dialogue on Migration 2019"',
    '          npm run add -- speeches/2019/',
    '          npm run add -- https://www.iom.int/speeches/some-statement',
  ],
});

/** One thing to add, as the user named it. */
interface AddItem {
  /** The name as typed (a folder's files as `folder/name`), for messages. */
  label: string;
  /** The address, or null for a file. */
  url: string | null;
}

/** Formats what an add settled on, for the terminal. */
function formatAdded(result: AddSpeechResult, seconds: number): string {
  const { speech, index } = result;
  const indexed = index === null ? 'not indexed: no model; the index catches up when one loads' : `${index.embedded} embedded, ${index.reused} reused`;
  const width = Math.max(...META_FIELDS.map((field) => field.length));
  const fields = META_FIELDS.map((field) => `  ${`${field}:`.padEnd(width + 1)} ${speech[field] === '' ? '–' : speech[field]}`);
  return `added ${speech.id}: ${plural(speech.paragraphs, 'paragraph', 'paragraphs')} (${indexed}), from ${result.format}, in ${seconds.toFixed(2)} s\n${fields.join('\n')}\n`;
}

/** The arguments as things to add: addresses as they are, folders as their speech files, files as they are. */
async function itemsOf(args: readonly string[], base: string, report: (line: string) => void): Promise<{ items: AddItem[]; failed: number }> {
  const items: AddItem[] = [];
  let failed = 0;
  for (const arg of args) {
    if (looksLikeWebAddress(arg)) {
      items.push({ label: arg, url: arg });
      continue;
    }
    try {
      const folder = await listSpeechFolder(base, arg);
      if (folder === null) {
        items.push({ label: arg, url: null });
        continue;
      }
      items.push(...folder.files.map((file) => ({ label: file, url: null })));
      const left = [folder.otherFiles > 0 ? plural(folder.otherFiles, 'file of another type', 'files of other types') : '', folder.folders > 0 ? plural(folder.folders, 'sub-folder', 'sub-folders') : ''].filter(Boolean);
      report(`${arg}: ${plural(folder.files.length, 'speech file', 'speech files')}${left.length > 0 ? ` (left out: ${left.join(', ')})` : ''}\n`);
    } catch (error) {
      failed += 1;
      const appError = toAppError(error);
      process.stderr.write(`${arg}: not added: ${appError.code}: ${appError.message}\n`);
    }
  }
  return { items, failed };
}

/** Adds one item; a lone item shows a bar of its embedding (a run of several has one bar for the whole run). */
async function addItem(editor: CorpusEditor, item: AddItem, options: { base: string; meta: MetaFields; embedder: Embedder | null; showEmbedding: boolean }): Promise<string> {
  // A file far too large is refused before it is read into memory.
  const source: SpeechSource =
    item.url === null ? { fileName: path.basename(item.label), bytes: await readInputFile(options.base, item.label, { maxBytes: MAX_SPEECH_FILE_BYTES }) } : { url: item.url };
  const started = performance.now();
  const bar: ProgressDisplay | null = options.showEmbedding ? createProgressDisplay(`index: embedding ${item.url ?? path.basename(item.label)}`) : null;
  try {
    const { result } = await editor.add(
      { source, meta: options.meta },
      { embedder: options.embedder, onIndexProgress: ({ done, total }) => total > 0 && bar?.update(done, total) },
    );
    return formatAdded(result, (performance.now() - started) / 1000);
  } finally {
    bar?.stop();
  }
}

runCommand(ADD_COMMAND, async ({ values, args }) => {
  const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  const meta = parseMetaFields(given, { keepEmpty: false });
  const config = loadConfig(process.env);
  const log = createConsoleLogger({ prefix: 'add' });
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log, lockTimeoutMs: LOCK_TIMEOUT_MS, webFetch: { limits: config.webFetch } });

  const loadEmbedder = embedderLoaderFor(config, { onProgress: createModelDownloadDisplay(config.model) });
  let embedder: Embedder | null = null;
  if (loadEmbedder !== null) {
    embedder = await loadEmbedder().catch((error: unknown) => {
      log.warn(`no model (${toAppError(error).message}); adding without indexing, the index catches up when the model loads. ${NO_MODEL_HINT}`);
      return null;
    });
  }

  // npm runs scripts from the project folder; file names are meant relative to where the command was typed.
  const base = config.invocationDir ?? process.cwd();
  const listed = await itemsOf(args, base, (line) => process.stdout.write(line));
  const { items } = listed;
  let failed = listed.failed;
  const runBar = items.length > 1 ? createProgressDisplay('add: speeches') : null;
  const print = (text: string, target: NodeJS.WritableStream) => (runBar === null ? target.write(text) : runBar.print(text, target));
  runBar?.update(0, items.length);
  for (const [done, item] of items.entries()) {
    try {
      const added = await addItem(editor, item, { base, meta, embedder, showEmbedding: runBar === null });
      print(added, process.stdout);
    } catch (error) {
      failed += 1;
      const appError = toAppError(error);
      print(`${item.label}: not added: ${appError.code}: ${appError.message}\n`, process.stderr);
    }
    runBar?.update(done + 1, items.length);
  }
  runBar?.stop();
  await editor.close();
  const total = items.length + listed.failed;
  if (total > 1) {
    const noun = items.every((item) => item.url === null) ? ['file', 'files'] as const : ['speech', 'speeches'] as const;
    process.stdout.write(`${total - failed} of ${plural(total, noun[0], noun[1])} added\n`);
  }
  return failed === 0 ? 0 : 1;
});
