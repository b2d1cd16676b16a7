// Renders one answer: the quoted passages in rank order with <mark>ed highlights (a long paragraph folded around
// them), a citation that opens the paragraph in its speech, a permalink, and buttons that copy the quote; or a
// plain "nothing relevant found" message.

import type { AnswerFrame, AnswerPassage } from '../server/core/protocol.ts';
import { formatCitation } from './citation.ts';
import { copyOnClick } from './clipboard.ts';
import { el } from './dom.ts';
import { highlightedText, normaliseRanges } from './highlighted-text.ts';
import { passagePath } from './passage-link.ts';
import { foldAround } from './passage-fold.ts';
import { quoteAsMarkdown, quoteAsText } from './quote-text.ts';
import type { OpenSpeechRequest } from './speech-viewer.ts';

/** Options of {@link renderAnswer}. */
export interface AnswerViewOptions {
  /** Called when the user activates a citation or a permalink. */
  onOpenCitation: (request: OpenSpeechRequest) => void;
}

/** The message shown when the speeches hold nothing relevant. */
export const NO_ANSWER_MESSAGE = 'No relevant passage was found in the speeches for this question.';

let quoteCount = 0;

/** Builds the element for an answer frame. Every server string is placed as text. */
export function renderAnswer(frame: AnswerFrame, options: AnswerViewOptions): HTMLElement {
  const passages = [...frame.passages];
  if (frame.noAnswer || passages.length === 0) {
    return el('div', {
      className: 'answer answer-empty',
      children: [
        el('p', { className: 'answer-lead', text: NO_ANSWER_MESSAGE }),
        el('p', { className: 'answer-hint', text: 'Try other words, a broader topic, or the name of a programme or region.' }),
      ],
    });
  }
  passages.sort((a, b) => a.rank - b.rank);
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
  const citation = formatCitation(passage.speech, passage.paragraph);
  const open = (returnFocus: HTMLElement) =>
    options.onOpenCitation({ speechId: passage.speech.id, paragraph: passage.paragraph, passageText: passage.text, highlights: passage.highlights, returnFocus });

  const quote = el('blockquote', { className: 'passage-text', attrs: { id: `quote-${++quoteCount}` } });
  const fold = renderFold(passage, quote);

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
  button.addEventListener('click', () => open(button));

  const link = el('a', { className: 'passage-action', text: 'Link to this paragraph', attrs: { href: passagePath({ speechId: passage.speech.id, paragraph: passage.paragraph }) } });
  // A plain click opens the paragraph here; the address is what it offers to copy, bookmark or open elsewhere.
  link.addEventListener('click', (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    open(link);
  });
  const copyPlain = el('button', { className: 'passage-action', text: 'Copy quote', attrs: { type: 'button' } });
  copyOnClick(copyPlain, () => quoteAsText(passage, { origin: window.location.origin }), { done: 'The quote and its citation were copied.' });
  const copyMarkdown = el('button', { className: 'passage-action', text: 'Copy as Markdown', attrs: { type: 'button' } });
  copyOnClick(copyMarkdown, () => quoteAsMarkdown(passage, { origin: window.location.origin }), { done: 'The quote was copied as Markdown.' });

  return el('li', {
    className: 'passage',
    children: [
      quote,
      fold,
      el('p', { className: 'citation-line', children: [button] }),
      el('p', { className: 'passage-actions', attrs: { 'aria-label': 'Share this passage' }, children: [copyPlain, copyMarkdown, link] }),
    ],
  });
}

/**
 * Fills `quote` with the passage; a long paragraph is shown folded around its highlights. Returns the button that
 * shows the whole paragraph (and folds it again), or null when the paragraph is shown whole.
 */
function renderFold(passage: AnswerPassage, quote: HTMLElement): HTMLElement | null {
  const ranges = normaliseRanges(passage.highlights, passage.text.length);
  const fold = foldAround(passage.text, ranges);
  if (fold === null) {
    quote.append(highlightedText(passage.text, ranges));
    return null;
  }
  const folded = (): Node[] => {
    const inside = ranges
      .map(([start, end]): [number, number] => [Math.max(start, fold.start) - fold.start, Math.min(end, fold.end) - fold.start])
      .filter(([start, end]) => end > start);
    return [
      ...(fold.start > 0 ? [el('span', { className: 'fold-gap', text: '… ', attrs: { title: 'Part of the paragraph is folded' } })] : []),
      highlightedText(passage.text.slice(fold.start, fold.end), inside),
      ...(fold.end < passage.text.length ? [el('span', { className: 'fold-gap', text: ' …' })] : []),
    ];
  };
  const toggle = el('button', {
    className: 'link-button fold-toggle',
    text: 'Show the whole paragraph',
    attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': quote.id },
  });
  quote.append(...folded());
  quote.dataset.folded = 'true';
  toggle.addEventListener('click', () => {
    const whole = quote.dataset.folded === 'true';
    quote.replaceChildren(...(whole ? [highlightedText(passage.text, ranges)] : folded()));
    quote.dataset.folded = String(!whole);
    toggle.textContent = whole ? 'Show less' : 'Show the whole paragraph';
    toggle.setAttribute('aria-expanded', String(whole));
  });
  return el('p', { className: 'fold-line', children: [toggle] });
}
