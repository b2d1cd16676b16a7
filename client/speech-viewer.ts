// The context view: a modal dialog showing a cited or linked paragraph inside its speech — metadata, neighbouring
// paragraphs (or the whole speech on request), the paragraph marked and scrolled into view, and its permalink.

import { paragraphMark } from './citation.ts';
import { copyOnClick } from './clipboard.ts';
import { el, scrollBehavior } from './dom.ts';
import { formatDate } from './format-date.ts';
import { highlightedText } from './highlighted-text.ts';
import { passagePath, passageUrl, type PassageAddress } from './passage-link.ts';
import { fetchSpeech, type SpeechDocument } from './speech-api.ts';

/** What to show: which paragraph of which speech, and optionally the answer's highlights for it. */
export interface OpenSpeechRequest {
  speechId: string;
  paragraph: number;
  /** The passage text as quoted; highlights are re-applied only if the paragraph still reads the same. */
  passageText?: string;
  highlights?: unknown;
  /** Where focus goes back on close; defaults to whatever had focus (Safari does not focus clicked buttons). */
  returnFocus?: HTMLElement;
}

/** Options of a {@link SpeechViewer}. */
export interface SpeechViewerOptions {
  /**
   * The page's `<dialog>`; must contain `[data-viewer-title]`, `[data-viewer-byline]`, `[data-viewer-body]`,
   * `[data-viewer-footer]` and `[data-viewer-close]`.
   */
  dialog: HTMLDialogElement;
  /** Paragraphs shown on each side of the cited one before "Show the whole speech". */
  contextSize?: number;
  /** The paragraph shown changed: an address when the dialog opens on one, null when it closes. */
  onShow?: (address: PassageAddress | null) => void;
}

/** Opens cited paragraphs in context. One instance per page. */
export class SpeechViewer {
  readonly #dialog: HTMLDialogElement;
  readonly #title: HTMLElement;
  readonly #byline: HTMLElement;
  readonly #body: HTMLElement;
  readonly #footer: HTMLElement;
  readonly #contextSize: number;
  readonly #onShow: (address: PassageAddress | null) => void;
  #returnFocus: HTMLElement | null = null;
  /** Guards against a slow response for an earlier request overwriting a later one. */
  #requestToken = 0;

  constructor(options: SpeechViewerOptions) {
    this.#dialog = options.dialog;
    this.#contextSize = options.contextSize ?? 2;
    this.#onShow = options.onShow ?? (() => {});
    this.#title = part(this.#dialog, '[data-viewer-title]');
    this.#byline = part(this.#dialog, '[data-viewer-byline]');
    this.#body = part(this.#dialog, '[data-viewer-body]');
    this.#footer = part(this.#dialog, '[data-viewer-footer]');
    part(this.#dialog, '[data-viewer-close]').addEventListener('click', () => this.close());
    // A click on the backdrop lands on the dialog itself (its content box is fully covered by the panel).
    this.#dialog.addEventListener('click', (event) => {
      if (event.target === this.#dialog) this.close();
    });
    // Escape fires 'cancel' and the browser closes the dialog; focus goes back to where it came from.
    this.#dialog.addEventListener('close', () => this.#restoreFocus());
  }

  /** Shows the dialog at once with a loading state, then the speech when it arrives. */
  open(request: OpenSpeechRequest): void {
    const token = ++this.#requestToken;
    const active = document.activeElement;
    if (!this.#dialog.open) this.#returnFocus = request.returnFocus ?? (active instanceof HTMLElement ? active : null);
    this.#title.textContent = 'Loading speech…';
    this.#byline.textContent = '';
    this.#footer.hidden = true;
    this.#footer.replaceChildren();
    this.#body.replaceChildren(el('p', { className: 'viewer-status', text: 'Loading the speech…', attrs: { role: 'status' } }));
    this.#body.setAttribute('aria-busy', 'true');
    if (!this.#dialog.open) this.#dialog.showModal();
    this.#title.focus();
    this.#onShow({ speechId: request.speechId, paragraph: request.paragraph });
    fetchSpeech(request.speechId).then(
      (speech) => {
        if (token === this.#requestToken && this.#dialog.open) this.#render(speech, request, { whole: false });
      },
      (error: unknown) => {
        if (token !== this.#requestToken || !this.#dialog.open) return;
        this.#title.textContent = 'Speech unavailable';
        const message = error instanceof Error ? error.message : String(error);
        this.#body.replaceChildren(
          el('p', { className: 'viewer-status is-error', attrs: { role: 'alert' }, text: `The speech could not be loaded. ${message}` }),
        );
        this.#body.removeAttribute('aria-busy');
      },
    );
  }

  /** Closes the dialog and returns focus to the control that opened it. */
  close(): void {
    if (this.#dialog.open) this.#dialog.close();
  }

  /** True while the dialog is open. */
  get isOpen(): boolean {
    return this.#dialog.open;
  }

  #restoreFocus(): void {
    this.#requestToken++;
    this.#onShow(null);
    const target = this.#returnFocus;
    this.#returnFocus = null;
    if (target?.isConnected) target.focus();
  }

  #render(speech: SpeechDocument, request: OpenSpeechRequest, view: { whole: boolean }): void {
    const { meta, paragraphs } = speech;
    this.#title.textContent = meta.title || 'Untitled speech';
    const citedIndex = paragraphs.findIndex((paragraph) => paragraph.n === request.paragraph);
    const centre = citedIndex === -1 ? 0 : citedIndex;
    const from = view.whole ? 0 : Math.max(0, centre - this.#contextSize);
    const to = view.whole ? paragraphs.length : Math.min(paragraphs.length, centre + this.#contextSize + 1);
    const partial = from > 0 || to < paragraphs.length;

    const list = el('ol', { className: 'speech-paragraphs', attrs: { 'aria-label': 'Paragraphs of the speech' } });
    let cited: HTMLElement | null = null;
    for (const paragraph of paragraphs.slice(from, to)) {
      const isCited = paragraph.n === request.paragraph;
      const useHighlights = isCited && request.passageText === paragraph.text;
      const text = el('p', { className: 'para-text' });
      text.append(useHighlights ? highlightedText(paragraph.text, request.highlights) : document.createTextNode(paragraph.text));
      const item = el('li', {
        className: isCited ? 'para is-cited' : 'para',
        attrs: { id: `p${paragraph.n}`, value: String(paragraph.n), ...(isCited ? { 'aria-current': 'true' } : {}) },
        children: [
          el('a', {
            className: 'para-number',
            text: paragraphMark(paragraph.n),
            attrs: { href: passagePath({ speechId: meta.id, paragraph: paragraph.n }), title: `Link to paragraph ${paragraph.n}` },
          }),
          isCited ? el('span', { className: 'para-badge', text: request.passageText === undefined ? 'Linked paragraph' : 'Cited paragraph' }) : null,
          text,
        ],
      });
      if (isCited) cited = item;
      list.append(item);
    }

    const toggle = el('button', {
      className: 'secondary-button',
      attrs: { type: 'button' },
      text: view.whole ? 'Show fewer paragraphs' : 'Show the whole speech',
    });
    toggle.addEventListener('click', () => {
      this.#render(speech, request, { whole: !view.whole });
      part(this.#footer, 'button').focus();
    });
    const rangeNote =
      paragraphs.length === 0
        ? 'This speech has no paragraphs.'
        : `${paragraphMark(paragraphs[from]?.n ?? 1)}–${paragraphs[to - 1]?.n ?? paragraphs.length} of ${paragraphs.length} paragraphs`;
    const missing =
      citedIndex === -1 && request.paragraph > 0
        ? el('p', { className: 'viewer-status is-error', text: `Paragraph ${request.paragraph} was not found in this speech.` })
        : null;

    this.#byline.textContent = [meta.speaker, formatDate(meta.date)].filter(Boolean).join(' · ');
    this.#body.replaceChildren(...[metadataList(speech), missing, list].filter((node) => node !== null));
    const copyLink = el('button', { className: 'secondary-button', attrs: { type: 'button' }, text: 'Copy link to this paragraph' });
    copyOnClick(copyLink, () => passageUrl({ speechId: meta.id, paragraph: paragraphs[centre]?.n ?? request.paragraph }), { done: 'The link to the paragraph was copied.' });
    this.#footer.replaceChildren(el('span', { className: 'viewer-range', text: rangeNote }), ...(partial || view.whole ? [toggle] : []), copyLink);
    this.#footer.hidden = false;
    this.#body.removeAttribute('aria-busy');
    // Centred, so the reader sees what leads up to the cited paragraph and what follows; the byline keeps the who and when.
    if (cited) cited.scrollIntoView({ block: 'center', behavior: view.whole ? scrollBehavior() : 'auto' });
  }
}

/** The speech's metadata as a definition list, skipping empty fields. */
function metadataList(speech: SpeechDocument): HTMLElement {
  const { meta } = speech;
  const rows: Array<[string, Node | string]> = [];
  const speaker = [meta.speaker, meta.role].filter(Boolean).join(', ');
  if (speaker) rows.push(['Speaker', speaker]);
  if (meta.event) rows.push(['Event', meta.event]);
  if (meta.date) rows.push(['Date', formatDate(meta.date)]);
  if (meta.place) rows.push(['Place', meta.place]);
  if (meta.source) rows.push(['Source', sourceNode(meta.source)]);
  return el('dl', {
    className: 'speech-meta',
    children: rows.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { children: [value] })]),
  });
}

/** A link when the source is an http(s) URL (other schemes such as `javascript:` stay plain text). */
function sourceNode(source: string): Node | string {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return source;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return source;
  return el('a', { text: source, attrs: { href: url.href, rel: 'noopener noreferrer', target: '_blank' } });
}

function part(root: ParentNode, selector: string): HTMLElement {
  const found = root.querySelector(selector);
  if (!(found instanceof HTMLElement)) throw new Error(`speech viewer is missing ${selector}`);
  return found;
}
