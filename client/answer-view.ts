// Renders one answer: the quoted passages in rank order with <mark>ed highlights and a clickable citation,
// or a plain "nothing relevant found" message.

import type { AnswerFrame, AnswerPassage } from '../server/core/protocol.ts';
import { formatCitation } from './citation.ts';
import { el } from './dom.ts';
import { highlightedText } from './highlighted-text.ts';
import type { OpenSpeechRequest } from './speech-viewer.ts';

/** Options of {@link renderAnswer}. */
export interface AnswerViewOptions {
  /** Called when the user activates a citation. */
  onOpenCitation: (request: OpenSpeechRequest) => void;
}

/** The message shown when the speeches hold nothing relevant. */
export const NO_ANSWER_MESSAGE = 'No relevant passage was found in the speeches for this question.';

/** Builds the element for an answer frame. Every server string is placed as text. */
export function renderAnswer(frame: AnswerFrame, options: AnswerViewOptions): HTMLElement {
  const passages = Array.isArray(frame.passages) ? [...frame.passages] : [];
  if (frame.noAnswer || passages.length === 0) {
    return el('div', {
      className: 'answer answer-empty',
      children: [
        el('p', { className: 'answer-lead', text: NO_ANSWER_MESSAGE }),
        el('p', { className: 'answer-hint', text: 'Try other words, a broader topic, or the name of a programme or region.' }),
      ],
    });
  }
  passages.sort((a, b) => Number(a.rank) - Number(b.rank));
  const count = passages.length === 1 ? '1 quoted passage' : `${passages.length} quoted passages`;
  const method = frame.mode === 'lexical' ? ' · found by keyword search' : '';
  return el('div', {
    className: 'answer',
    children: [
      el('p', { className: 'answer-lead', text: `${count} from the speeches, most relevant first${method}.` }),
      el('ol', {
        className: 'passages',
        attrs: { 'aria-label': 'Quoted passages' },
        children: passages.map((passage) => renderPassage(passage, options)),
      }),
    ],
  });
}

function renderPassage(passage: AnswerPassage, options: AnswerViewOptions): HTMLElement {
  const text = typeof passage.text === 'string' ? passage.text : '';
  const paragraph = Number(passage.paragraph);
  const speech = passage.speech ?? {};
  const citation = formatCitation(speech, paragraph);

  const quote = el('blockquote', { className: 'passage-text' });
  quote.append(highlightedText(text, passage.highlights));

  const button = el('button', {
    className: 'citation',
    attrs: { type: 'button', title: 'Show this paragraph in its speech' },
    children: [
      el('cite', { className: 'citation-title', text: citation.title }),
      el('span', { className: 'citation-dash', text: ' — ' }),
      el('span', { className: 'citation-details', text: citation.details }),
      // A plain space (not a margin) so the action carries no indent when it wraps to its own line.
      ' ',
      el('span', { className: 'citation-action', text: 'View in context' }),
    ],
  });
  button.addEventListener('click', () =>
    options.onOpenCitation({
      speechId: typeof speech.id === 'string' ? speech.id : '',
      paragraph,
      passageText: text,
      highlights: passage.highlights,
      returnFocus: button,
    }),
  );

  return el('li', { className: 'passage', children: [quote, el('p', { className: 'citation-line', children: [button] })] });
}
