// `npm run ask -- "question" [--top-k N]`: answers one question in the terminal with the chat's own retrieval.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { PROTOCOL_LIMITS } from '../core/protocol.ts';
import { openConfiguredService } from '../runtime.ts';
import { formatAnswer } from './answer-text.ts';
import { defineCommand, runCommand } from './command.ts';
import { createModelDownloadDisplay } from './progress.ts';

const ASK_COMMAND = defineCommand({
  name: 'ask',
  summary: 'Answers a question in the terminal with the quoted passages and their citations, through the same retrieval as the chat.',
  args: '"question"',
  minArgs: 1,
  options: {
    'top-k': { type: 'string', value: 'N', default: String(PROTOCOL_LIMITS.defaultTopK), description: `passages to quote at most, ${PROTOCOL_LIMITS.minTopK} to ${PROTOCOL_LIMITS.maxTopK}` },
  },
  notes: ['Uses the model of npm start (MODEL_ID, MODEL_DIR); without one it answers by keyword search and says so.', '', 'example: npm run ask -- "What did IOM say about forced labour?"'],
});

runCommand(ASK_COMMAND, async ({ values, args }) => {
  const question = args.join(' ').trim();
  if (question === '') throw new AppError('usage', 'the question is empty');
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < PROTOCOL_LIMITS.minTopK || topK > PROTOCOL_LIMITS.maxTopK) {
    throw new AppError('usage', `--top-k must be an integer from ${PROTOCOL_LIMITS.minTopK} to ${PROTOCOL_LIMITS.maxTopK}, not "${values['top-k']}"`);
  }
  const config = loadConfig(process.env);
  // A question is one shot: no retries in the background.
  const service = await openConfiguredService({ ...config, modelRetrySeconds: 0 }, {
    log: createConsoleLogger({ prefix: 'ask' }),
    modelProgress: createModelDownloadDisplay,
  });
  await service.modelSettled();
  const answer = await service.ask(question, { topK });
  const bold = process.stdout.isTTY ? (text: string) => `\u001b[1m${text}\u001b[22m` : (text: string) => `**${text}**`;
  process.stdout.write(formatAnswer(answer, { emphasis: bold }));
  await service.close();
});
