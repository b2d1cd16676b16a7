// `npm run list`: the speeches in corpus/ as a table, with their metadata and paragraph counts.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { createCorpusEditor, summaryOf, type SpeechSummary } from '../corpus-editor.ts';
import { runCli } from './run-cli.ts';

/** Longest cell shown; longer values are cut with an ellipsis. */
const MAX_CELL_CHARS = 48;
const COLUMNS: ReadonlyArray<[keyof SpeechSummary, string]> = [
  ['id', 'id'],
  ['date', 'date'],
  ['paragraphs', 'paras'],
  ['title', 'title'],
  ['speaker', 'speaker'],
  ['event', 'event'],
  ['place', 'place'],
];

/** The speeches as a plain-text table with a header row and a total line. */
function formatSpeechTable(speeches: readonly SpeechSummary[]): string {
  const cell = (value: string | number): string => {
    const text = String(value);
    return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
  };
  const rows = [COLUMNS.map(([, label]) => label), ...speeches.map((speech) => COLUMNS.map(([key]) => cell(speech[key])))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((text, i) => text.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const total = speeches.reduce((sum, speech) => sum + speech.paragraphs, 0);
  return `${[line(rows[0] ?? []), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n')}\n\n${speeches.length} ${speeches.length === 1 ? 'speech' : 'speeches'}, ${total} paragraphs\n`;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Under the lock, so that a change another process is making shows complete or not at all.
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log: createConsoleLogger({ prefix: 'list' }) });
  process.stdout.write(formatSpeechTable((await editor.load()).map(summaryOf)));
}

runCli(main);
