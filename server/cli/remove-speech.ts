// `npm run remove -- <speech-id...>`: removes speeches from corpus/ and their vectors from the index.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { createCorpusEditor } from '../corpus-editor.ts';
import { AppError, toAppError } from '../core/errors.ts';
import { runCli } from './run-cli.ts';

const LOCK_TIMEOUT_MS = 10 * 60_000;

async function main(): Promise<number> {
  const ids = process.argv.slice(2).filter((arg) => arg !== '--');
  if (ids.length === 0) throw new AppError('bad_request', 'usage: npm run remove -- <speech-id...> (see npm run list)');
  const config = loadConfig(process.env);
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log: createConsoleLogger({ prefix: 'remove' }), lockTimeoutMs: LOCK_TIMEOUT_MS });
  let failed = 0;
  for (const id of ids) {
    try {
      // Removing needs no model: the remaining vectors are all reused.
      const { speeches } = await editor.remove(id, { embedder: null });
      process.stdout.write(`removed ${id}; ${speeches.length} ${speeches.length === 1 ? 'speech' : 'speeches'} left\n`);
    } catch (error) {
      failed += 1;
      const appError = toAppError(error);
      process.stderr.write(`${id}: not removed: ${appError.code}: ${appError.message}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

runCli(main);
