// The conversation as a Markdown document, every answer with its quoted passages, citations and permalinks, and
// saving it as a file.

import { NO_ANSWER_MESSAGE } from './answer-view.ts';
import type { StoredExchange } from './conversation-store.ts';
import { errorSummary } from './conversation.ts';
import { formatDate } from './format-date.ts';
import { escapeMarkdown, quoteAsMarkdown } from './quote-text.ts';

/** The conversation in Markdown: a heading per question, then its passages as cited block quotes. */
export function conversationAsMarkdown(exchanges: readonly StoredExchange[], options: { origin: string; exportedAt: Date }): string {
  const day = formatDate(options.exportedAt.toISOString().slice(0, 10));
  const lines = ['# Questions to the IDM speeches', '', `Exported on ${day} from ${options.origin}/. Every answer is quoted word for word from the speeches.`, ''];
  for (const { ask, scope, reply } of exchanges) {
    lines.push(`## ${escapeMarkdown(ask.question.replace(/\s+/g, ' '))}`, '');
    if (scope !== null) lines.push(`*Searched: ${escapeMarkdown(scope)}*`, '');
    if (reply === null) lines.push('*Not answered yet.*', '');
    else if (reply.type === 'error') lines.push(`*Not answered: ${errorSummary(reply.code)}*`, '');
    else if (reply.noAnswer || reply.passages.length === 0) lines.push(`*${NO_ANSWER_MESSAGE}*`, '');
    else for (const passage of [...reply.passages].sort((a, b) => a.rank - b.rank)) lines.push(quoteAsMarkdown(passage, options));
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** The file name of an export: `idm-conversation-2026-12-02.md`. */
export function exportFileName(exportedAt: Date): string {
  return `idm-conversation-${exportedAt.toISOString().slice(0, 10)}.md`;
}

/** Offers `text` as a file download named `fileName`. */
export function downloadText(fileName: string, text: string, type = 'text/markdown'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the link; the object URL may go once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
