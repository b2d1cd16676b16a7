// `npm run list [--json]`: the speeches in corpus/ as a table (ids whole, other cells cut to fit), or as JSON.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { createCorpusEditor, summaryOf, type SpeechSummary } from '../corpus-editor.ts';
import { plural } from '../core/counts.ts';
import { defineCommand, runCommand } from './command.ts';

/** Longest cell shown for the descriptive columns; longer values are cut with an ellipsis. Ids are never cut. */
const MAX_CELL_CHARS = 48;
const COLUMNS: ReadonlyArray<{ key: keyof SpeechSummary; label: string; whole?: boolean }> = [
  { key: 'id', label: 'id', whole: true },
  { key: 'date', label: 'date', whole: true },
  { key: 'paragraphs', label: 'paras', whole: true },
  { key: 'title', label: 'title' },
  { key: 'speaker', label: 'speaker' },
  { key: 'event', label: 'event' },
  { key: 'place', label: 'place' },
];

const LIST_COMMAND = defineCommand({
  name: 'list',
  summary: 'Lists the speeches in corpus/: id, date, paragraph count, title, speaker, event, place.',
  options: {
    json: { type: 'boolean', default: false, description: 'print the speeches as JSON, with every metadata field, as GET /api/speeches does' },
  },
  notes: ['Ids are printed whole, as npm run remove takes them.'],
});

/** The speeches as a plain-text table with a header row and a total line. */
function formatSpeechTable(speeches: readonly SpeechSummary[]): string {
  const cell = (value: string | number, whole: boolean): string => {
    const text = String(value);
    return whole || text.length <= MAX_CELL_CHARS ? text : `${text.slice(0, MAX_CELL_CHARS - 1)}…`;
  };
  const rows = [COLUMNS.map(({ label }) => label), ...speeches.map((speech) => COLUMNS.map(({ key, whole }) => cell(speech[key], whole === true)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((text, i) => text.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const total = speeches.reduce((sum, speech) => sum + speech.paragraphs, 0);
  const table = [line(rows[0] ?? []), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
  return `${table}\n\n${plural(speeches.length, 'speech', 'speeches')}, ${plural(total, 'paragraph', 'paragraphs')}\n`;
}

runCommand(LIST_COMMAND, async ({ values }) => {
  const config = loadConfig(process.env);
  // Under the lock, so that a change another process is making shows complete or not at all.
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log: createConsoleLogger({ prefix: 'list' }) });
  const speeches = (await editor.load()).speeches.map(summaryOf);
  await editor.close();
  process.stdout.write(values.json ? `${JSON.stringify(speeches, null, 2)}\n` : formatSpeechTable(speeches));
});
