// `npm run ask -- "question" [--top-k N]`: answers one question in the terminal with the chat's own retrieval.

import { parseArgs } from 'node:util';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { PROTOCOL_LIMITS } from '../core/protocol.ts';
import type { RetrievalAnswer } from '../core/retriever.ts';
import { openConfiguredService } from '../runtime.ts';
import { createModelDownloadDisplay } from './progress.ts';
import { runCli } from './run-cli.ts';

/** Formats an answer for a terminal; `emphasis` wraps highlighted sentences (e.g. in ANSI bold). */
export function formatAnswer(answer: RetrievalAnswer, options: { emphasis: (text: string) => string }): string {
  if (answer.noAnswer) return `No relevant passage was found in the speeches. (mode: ${answer.mode})\n`;
  const blocks = answer.passages.map((passage) => {
    let text = '';
    let at = 0;
    for (const [start, end] of passage.highlights) {
      text += passage.text.slice(at, start) + options.emphasis(passage.text.slice(start, end));
      at = end;
    }
    text += passage.text.slice(at);
    const { title, speaker, event, date, place } = passage.speech;
    const citation = `— ${title}; ${speaker}; ${event}, ${place}, ${date}; paragraph ${passage.paragraph} [${passage.speech.id}]`;
    return `${passage.rank}. (score ${passage.score})\n“${text}”\n${citation}\n`;
  });
  return `${blocks.join('\n')}\n(mode: ${answer.mode})\n`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'top-k': { type: 'string', default: String(PROTOCOL_LIMITS.defaultTopK) } },
  });
  const question = positionals.join(' ').trim();
  if (question === '') throw new AppError('bad_request', 'usage: npm run ask -- "your question" [--top-k N]');
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < PROTOCOL_LIMITS.minTopK || topK > PROTOCOL_LIMITS.maxTopK) {
    throw new AppError('bad_request', `--top-k must be an integer from ${PROTOCOL_LIMITS.minTopK} to ${PROTOCOL_LIMITS.maxTopK}`);
  }
  const config = loadConfig(process.env);
  // A question is one shot: no retries in the background.
  const service = await openConfiguredService({ ...config, modelRetrySeconds: 0 }, {
    log: createConsoleLogger({ prefix: 'ask' }),
    onModelProgress: createModelDownloadDisplay(),
  });
  await service.modelSettled();
  const answer = await service.ask(question, { topK });
  const bold = process.stdout.isTTY ? (text: string) => `\u001b[1m${text}\u001b[22m` : (text: string) => `**${text}**`;
  process.stdout.write(formatAnswer(answer, { emphasis: bold }));
  await service.close();
}

runCli(main);
