// `npm run remove -- <speech-id...>`: removes speeches from corpus/ and their vectors from the index.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { createCorpusEditor } from '../corpus-editor.ts';
import { plural } from '../core/counts.ts';
import { toAppError } from '../core/errors.ts';
import { defineCommand, runCommand } from './command.ts';

const LOCK_TIMEOUT_MS = 10 * 60_000;

const REMOVE_COMMAND = defineCommand({
  name: 'remove',
  summary: 'Removes speeches from corpus/ and their vectors from the index; needs no model.',
  args: '<speech-id...>',
  minArgs: 1,
  options: {},
  notes: ['The ids are those npm run list prints. Each id is removed or refused on its own; the exit code is 1 when any was refused.'],
});

runCommand(REMOVE_COMMAND, async ({ args }) => {
  const config = loadConfig(process.env);
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log: createConsoleLogger({ prefix: 'remove' }), lockTimeoutMs: LOCK_TIMEOUT_MS });
  let failed = 0;
  for (const id of args) {
    try {
      // Removing needs no model: the remaining vectors are all reused.
      const { speeches } = await editor.remove(id, { embedder: null });
      process.stdout.write(`removed ${id}; ${plural(speeches.length, 'speech', 'speeches')} left\n`);
    } catch (error) {
      failed += 1;
      const appError = toAppError(error);
      process.stderr.write(`${id}: not removed: ${appError.code}: ${appError.message}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
});
