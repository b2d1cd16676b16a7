// `npm run add -- <file...> [--title T] [--speaker S] [--role R] [--date YYYY-MM-DD] [--event E] [--place P]
// [--source S]`: adds speeches to corpus/ and indexes only their paragraphs. Each file succeeds or fails alone.

import path from 'node:path';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig, NO_MODEL_HINT } from '../config.ts';
import { createCorpusEditor, type AddSpeechResult } from '../corpus-editor.ts';
import { plural } from '../core/counts.ts';
import { toAppError } from '../core/errors.ts';
import { MAX_SPEECH_FILE_BYTES, SUPPORTED_SPEECH_EXTENSIONS } from '../core/speech-files.ts';
import { parseMetaFields } from '../core/speech-input.ts';
import { META_FIELDS, SPEECH_FIELDS, type MetaField } from '../core/speech-meta.ts';
import type { Embedder } from '../core/types.ts';
import { embedderLoaderFor } from '../model-loaders.ts';
import { defineCommand, runCommand, type OptionSpec } from './command.ts';
import { readInputFile } from './input-file.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './progress.ts';

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
  summary: `Adds speeches (${SUPPORTED_SPEECH_EXTENSIONS.join(', ')}, at most ${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB each) to corpus/ and indexes only their paragraphs.`,
  args: '<file...>',
  minArgs: 1,
  options: FIELD_OPTIONS,
  notes: [
    'Each field is taken from its option, else from the text (a "Title:", "Speaker:", "Date:" … header block, or the',
    'front matter), else from the file name (title, source). A date is required. Options apply to every file.',
    'File names are relative to the folder the command is typed in. Each file is added or refused on its own; the',
    'exit code is 1 when any was refused. Uses the model of npm start (MODEL_ID, MODEL_DIR); without one the speech',
    'is added and indexed when the model next loads.',
    '',
    'example: npm run add -- speeches/keynote.pdf --event "International Dialogue on Migration 2019"',
  ],
});

/** Formats what an add settled on, for the terminal. */
function formatAdded(result: AddSpeechResult, seconds: number): string {
  const { speech, index } = result;
  const indexed = index === null ? 'not indexed: no model; the index catches up when one loads' : `${index.embedded} embedded, ${index.reused} reused`;
  const width = Math.max(...META_FIELDS.map((field) => field.length));
  const fields = META_FIELDS.map((field) => `  ${`${field}:`.padEnd(width + 1)} ${speech[field] === '' ? '–' : speech[field]}`);
  return `added ${speech.id}: ${plural(speech.paragraphs, 'paragraph', 'paragraphs')} (${indexed}), from ${result.format}, in ${seconds.toFixed(2)} s\n${fields.join('\n')}\n`;
}

runCommand(ADD_COMMAND, async ({ values, args }) => {
  const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  const explicit = parseMetaFields(given, { keepEmpty: false });
  const config = loadConfig(process.env);
  const log = createConsoleLogger({ prefix: 'add' });
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log, lockTimeoutMs: LOCK_TIMEOUT_MS });

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
  let failed = 0;
  for (const file of args) {
    const fileName = path.basename(file);
    try {
      // A file far too large is refused before it is read into memory.
      const bytes = await readInputFile(base, file, { maxBytes: MAX_SPEECH_FILE_BYTES });
      const started = performance.now();
      const bar = createProgressDisplay(`index: embedding ${fileName}`);
      const { result } = await editor.add(
        { source: { fileName, bytes }, meta: explicit },
        { embedder, onIndexProgress: ({ done, total }) => total > 0 && bar.update(done, total) },
      );
      bar.stop();
      process.stdout.write(formatAdded(result, (performance.now() - started) / 1000));
    } catch (error) {
      failed += 1;
      const appError = toAppError(error);
      process.stderr.write(`${file}: not added: ${appError.code}: ${appError.message}\n`);
    }
  }
  if (args.length > 1) process.stdout.write(`${args.length - failed} of ${plural(args.length, 'file', 'files')} added\n`);
  return failed === 0 ? 0 : 1;
});
