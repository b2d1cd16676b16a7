// A quoted passage as text to paste elsewhere, with its citation and permalink: plain text, or Markdown. Pure.

import type { AnswerPassage } from '../server/core/protocol.ts';
import { formatCitation } from './citation.ts';
import { passageUrl } from './passage-link.ts';

/** Where permalinks point: the page's origin, e.g. `http://127.0.0.1:3000`. */
export interface QuoteOptions {
  origin: string;
}

function linkOf(passage: AnswerPassage, options: QuoteOptions): string {
  return passageUrl({ speechId: passage.speech.id, paragraph: passage.paragraph }, options.origin);
}

/** “The paragraph, word for word.” — Title, Speaker, Event, 27 March 2018, Place, ¶ 12, then the permalink. */
export function quoteAsText(passage: AnswerPassage, options: QuoteOptions): string {
  const { title, details } = formatCitation(passage.speech, passage.paragraph);
  return `“${passage.text}”\n— ${title}, ${details}\n${linkOf(passage, options)}\n`;
}

/** Characters that Markdown would read as markup, escaped so the quote stays word for word. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (char) => `\\${char}`);
}

/** The passage as a Markdown block quote, its citation below with the title in italics and a link to the paragraph. */
export function quoteAsMarkdown(passage: AnswerPassage, options: QuoteOptions): string {
  const { title, details } = formatCitation(passage.speech, passage.paragraph);
  const quote = passage.text.split('\n').map((line) => `> ${escapeMarkdown(line)}`.trimEnd());
  return `${quote.join('\n')}\n>\n> — *${escapeMarkdown(title)}*, ${escapeMarkdown(details)} ([link](${linkOf(passage, options)}))\n`;
}
