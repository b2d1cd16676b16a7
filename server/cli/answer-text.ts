// An answer as text for the terminal: each quoted passage with its highlights emphasised and its citation.

import { citationDetails } from '../core/citation.ts';
import type { RetrievalAnswer } from '../core/retriever.ts';

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
    // Only the fields a speech has: never "Geneva, , 2016".
    const details = citationDetails(passage.speech, { formatDate: (iso) => iso }).join(', ');
    const citation = [passage.speech.title, details, `paragraph ${passage.paragraph}`].filter((part) => part !== '').join('; ');
    return `${passage.rank}. (score ${passage.score})\n“${text}”\n— ${citation} [${passage.speech.id}]\n`;
  });
  return `${blocks.join('\n')}\n(mode: ${answer.mode})\n`;
}
