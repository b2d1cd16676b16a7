// `npm run add -- <file...> [--title T] [--speaker S] [--role R] [--date YYYY-MM-DD] [--event E] [--place P]
// [--source S]`: adds speeches to corpus/ and indexes only their paragraphs. Each file succeeds or fails alone.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { createCorpusEditor, type AddSpeechResult } from '../corpus-editor.ts';
import { AppError, toAppError } from '../core/errors.ts';
import { MAX_SPEECH_FILE_BYTES } from '../core/speech-files.ts';
import { parseMetaFields } from '../core/speech-input.ts';
import { META_FIELDS } from '../core/speech-meta.ts';
import type { Embedder } from '../core/types.ts';
import { embedderLoaderFor } from '../model-loaders.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './progress.ts';
import { runCli } from './run-cli.ts';

const USAGE = 'usage: npm run add -- <file...> [--title T] [--speaker S] [--role R] [--date YYYY-MM-DD] [--event E] [--place P] [--source S]';
/** A command-line add waits this long for a server that is indexing. */
const LOCK_TIMEOUT_MS = 10 * 60_000;

/** Formats what an add settled on, for the terminal. */
function formatAdded(result: AddSpeechResult, seconds: number): string {
  const { speech, index } = result;
  const indexed = index === null ? 'not indexed: no model; the index catches up when one loads' : `${index.embedded} embedded, ${index.reused} reused`;
  const width = Math.max(...META_FIELDS.map((field) => field.length));
  const fields = META_FIELDS.map((field) => `  ${`${field}:`.padEnd(width + 1)} ${speech[field] === '' ? '–' : speech[field]}`);
  return `added ${speech.id}: ${speech.paragraphs} paragraphs (${indexed}), from ${result.format}, in ${seconds.toFixed(2)} s\n${fields.join('\n')}\n`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: Object.fromEntries(META_FIELDS.map((field) => [field, { type: 'string' }])) as Record<(typeof META_FIELDS)[number], { type: 'string' }>,
  });
  if (positionals.length === 0) throw new AppError('bad_request', USAGE);
  const explicit = parseMetaFields(Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)), { keepEmpty: false });
  const config = loadConfig(process.env);
  const log = createConsoleLogger({ prefix: 'add' });
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log, lockTimeoutMs: LOCK_TIMEOUT_MS });

  const loadEmbedder = embedderLoaderFor(config, { onProgress: createModelDownloadDisplay() });
  let embedder: Embedder | null = null;
  if (loadEmbedder !== null) {
    embedder = await loadEmbedder().catch((error: unknown) => {
      log.warn(`no model (${toAppError(error).message}); adding without indexing, the index catches up when the model loads`);
      return null;
    });
  }

  // npm runs scripts from the project folder; file names are meant relative to where the command was typed.
  const base = config.invocationDir ?? process.cwd();
  let failed = 0;
  for (const file of positionals) {
    const fileName = path.basename(file);
    try {
      const full = path.resolve(base, file);
      // A file far too large is refused before it is read into memory.
      if ((await stat(full)).size > MAX_SPEECH_FILE_BYTES) throw new AppError('too_large', `"${fileName}": the file is larger than ${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB`);
      const started = performance.now();
      const bar = createProgressDisplay(`index: embedding ${fileName}`);
      const { result } = await editor.add(
        { source: { fileName, bytes: await readFile(full) }, meta: explicit },
        { embedder, onIndexProgress: ({ done, total }) => total > 0 && bar.update(done, total) },
      );
      bar.stop();
      process.stdout.write(formatAdded(result, (performance.now() - started) / 1000));
    } catch (error) {
      failed += 1;
      const appError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? new AppError('bad_request', 'no such file') : toAppError(error);
      process.stderr.write(`${file}: not added: ${appError.code}: ${appError.message}\n`);
    }
  }
  if (positionals.length > 1) process.stdout.write(`${positionals.length - failed} of ${positionals.length} files added\n`);
  return failed === 0 ? 0 : 1;
}

runCli(main);
