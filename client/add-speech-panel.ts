// The "Add a speech" panel: admin token, file chooser and drop zone or a web address, a dry run whose detected
// metadata the person reviews and corrects, the save, and what happened — success or a plain explanation of the failure.

import { explainAddSpeechError, renderAddSpeechProblem, type AddSpeechProblem } from './add-speech-errors.ts';
import { forgetAdminToken, readAdminToken, saveAdminToken } from './admin-token.ts';
import { plural } from './counts.ts';
import { el, requirePart } from './dom.ts';
import { FileDropZone } from './file-drop-zone.ts';
import { formatDate } from './format-date.ts';
import { foundNote, originLabel } from './add-speech-status.ts';
import { addSpeech, type MetaValues, type SpeechOrigin } from './speech-admin-api.ts';
import type { SpeechSummary } from './speech-api.ts';
import { SPEECH_ADDRESS_HINT, SPEECH_FILE_ACCEPT, SPEECH_FILE_HINT, speechAddressProblem, speechFileProblem } from './speech-file.ts';
import { SpeechReviewForm } from './speech-review-form.ts';

const part = <T extends Element>(root: ParentNode, selector: string, kind: { new (): T; prototype: T }): T =>
  requirePart(root, selector, kind, 'add-speech panel');

/** The dialog and callbacks of an {@link AddSpeechPanel}. */
export interface AddSpeechPanelOptions {
  /** The page's `#add-speech` dialog with its `data-*` parts (see index.html). */
  dialog: HTMLDialogElement;
  /** A speech was saved. */
  onAdded: (speech: SpeechSummary) => void;
  /** "Ask about this speech": restrict questions to it; the panel closes and focus goes to the question box. */
  onAskAbout: (speech: SpeechSummary) => void;
}

/** The step that failed, so "Try again" repeats it. */
type Step = 'check' | 'save';

/** Where the panel stands; set on the panel body as `data-stage` so the layout can follow (see styles/add-speech-panel.css). */
type Stage = 'choose' | 'checking' | 'review' | 'saving' | 'done';

/** Adds speeches from the chat window. One instance per page. */
export class AddSpeechPanel {
  readonly #options: AddSpeechPanelOptions;
  readonly #dialog: HTMLDialogElement;
  readonly #body: HTMLElement;
  readonly #token: HTMLInputElement;
  readonly #tokenHint: HTMLElement;
  readonly #forget: HTMLButtonElement;
  readonly #chooseButton: HTMLButtonElement;
  readonly #chooseAnother: HTMLButtonElement;
  readonly #address: HTMLInputElement;
  readonly #fileStatus: HTMLElement;
  readonly #problem: HTMLElement;
  readonly #success: HTMLElement;
  readonly #successDetails: HTMLElement;
  readonly #review: SpeechReviewForm;
  readonly #drop: FileDropZone;
  readonly #tokenHintText: string;
  #origin: SpeechOrigin | null = null;
  #saved: SpeechSummary | null = null;
  #request: AbortController | null = null;
  #returnFocus: HTMLElement | null = null;

  constructor(options: AddSpeechPanelOptions) {
    this.#options = options;
    const dialog = options.dialog;
    this.#dialog = dialog;
    this.#body = part(dialog, '[data-add-body]', HTMLElement);
    this.#token = part(dialog, '#admin-token', HTMLInputElement);
    this.#tokenHint = part(dialog, '[data-token-hint]', HTMLElement);
    this.#tokenHintText = this.#tokenHint.textContent?.trim() ?? '';
    this.#forget = part(dialog, '[data-token-forget]', HTMLButtonElement);
    this.#chooseButton = part(dialog, '[data-choose-file]', HTMLButtonElement);
    this.#chooseAnother = part(dialog, '[data-choose-another]', HTMLButtonElement);
    this.#address = part(dialog, '[data-address-input]', HTMLInputElement);
    this.#fileStatus = part(dialog, '[data-file-status]', HTMLElement);
    this.#problem = part(dialog, '[data-problem]', HTMLElement);
    this.#success = part(dialog, '[data-success]', HTMLElement);
    this.#successDetails = part(dialog, '[data-success-details]', HTMLElement);
    const input = part(dialog, '[data-file-input]', HTMLInputElement);
    input.accept = SPEECH_FILE_ACCEPT;
    part(dialog, '[data-file-hint]', HTMLElement).textContent = SPEECH_FILE_HINT;
    part(dialog, '[data-address-hint]', HTMLElement).textContent = SPEECH_ADDRESS_HINT;
    part(dialog, '[data-address-form]', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      this.#chooseAddress(this.#address.value);
    });

    this.#review = new SpeechReviewForm({ form: part(dialog, '[data-review-form]', HTMLFormElement), onSave: (values) => this.#save(values) });
    this.#drop = new FileDropZone({
      zone: part(dialog, '[data-drop-zone]', HTMLElement),
      input,
      catchArea: dialog,
      onFile: (file, note) => this.#choose(file, note.extraFiles),
    });

    this.#setStage('choose');
    this.#token.value = readAdminToken();
    this.#syncForget();
    this.#token.addEventListener('input', () => {
      saveAdminToken(this.#token.value);
      this.#tokenHint.textContent = this.#tokenHintText;
      this.#syncForget();
    });
    this.#token.addEventListener('keydown', (event) => {
      // Enter after typing the token repeats the step it was missing for.
      if (event.key === 'Enter' && this.#retryStep() !== null) {
        event.preventDefault();
        this.#retry();
      }
    });
    this.#forget.addEventListener('click', () => {
      forgetAdminToken();
      this.#token.value = '';
      this.#syncForget();
      this.#tokenHint.textContent = 'The token was forgotten: this tab no longer keeps it.';
      this.#token.focus();
    });
    this.#chooseButton.addEventListener('click', () => this.#drop.choose());
    this.#chooseAnother.addEventListener('click', () => {
      const wasAddress = this.#origin !== null && 'url' in this.#origin;
      this.#reset();
      if (wasAddress) {
        this.#address.focus();
        this.#address.select();
      } else this.#drop.choose();
    });
    part(dialog, '[data-add-another]', HTMLButtonElement).addEventListener('click', () => {
      this.#reset();
      this.#chooseButton.focus();
    });
    part(dialog, '[data-ask-new]', HTMLButtonElement).addEventListener('click', () => {
      const speech = this.#saved;
      if (!speech) return;
      this.#returnFocus = null;
      this.close();
      this.#options.onAskAbout(speech);
    });
    part(dialog, '[data-add-close]', HTMLButtonElement).addEventListener('click', () => this.close());
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) this.close();
    });
    // Escape fires 'cancel' and the browser closes the dialog; focus goes back to the button that opened it.
    dialog.addEventListener('close', () => {
      const target = this.#returnFocus;
      this.#returnFocus = null;
      if (target?.isConnected) target.focus();
    });
  }

  /** Opens the panel where the person left it, focused on the first thing to do. */
  open(): void {
    const active = document.activeElement;
    this.#returnFocus = active instanceof HTMLElement ? active : null;
    if (!this.#dialog.open) this.#dialog.showModal();
    if (!this.#success.hidden) this.#success.focus();
    else if (this.#token.value === '') this.#token.focus();
    else if (!this.#review.isHidden()) this.#review.focusFirst();
    else this.#chooseButton.focus();
  }

  /** Closes the panel; a check or save under way carries on and shows its outcome when reopened. */
  close(): void {
    if (this.#dialog.open) this.#dialog.close();
  }

  #choose(file: File, extraFiles: number): void {
    this.#reset();
    const problem = speechFileProblem(file);
    if (problem !== null) {
      this.#showProblem({ lead: problem, lines: [], focus: 'file', retry: false });
      return;
    }
    if (extraFiles > 0) {
      const left = plural(extraFiles, 'other file was', 'other files were');
      this.#fileStatus.dataset.note = `Only one speech is added at a time: ${left} left out.`;
    }
    this.#read({ file });
  }

  #chooseAddress(address: string): void {
    this.#reset();
    const problem = speechAddressProblem(address);
    if (problem !== null) {
      this.#showProblem({ lead: problem, lines: [], focus: 'address', retry: false });
      return;
    }
    this.#read({ url: address.trim() });
  }

  #read(origin: SpeechOrigin): void {
    this.#origin = origin;
    this.#chooseAnother.textContent = 'url' in origin ? 'Use another address' : 'Choose another file';
    void this.#check(origin);
  }

  async #check(origin: SpeechOrigin): Promise<void> {
    this.#setStage('checking');
    this.#setStatus(`Reading ${originLabel(origin)}…`, { busy: true });
    const request = this.#startRequest();
    try {
      const result = await addSpeech({ origin, token: this.#token.value, dryRun: true, signal: request.signal });
      if (request.signal.aborted) return;
      this.#request = null;
      this.#setStatus(foundNote(origin, result));
      this.#review.show(result.speech);
      this.#setStage('review');
      this.#review.focusFirst();
    } catch (error) {
      if (request.signal.aborted) return;
      this.#request = null;
      this.#setStage('choose');
      this.#setStatus(originLabel(origin));
      this.#showProblem(this.#explain(error), 'check');
    }
  }

  #explain(error: unknown): AddSpeechProblem {
    const subject = this.#origin !== null && 'url' in this.#origin ? 'address' : 'file';
    return explainAddSpeechError(error, { hadToken: this.#token.value.trim() !== '', subject });
  }

  async #save(values: MetaValues): Promise<void> {
    const origin = this.#origin;
    if (!origin) return;
    this.#hideProblem();
    this.#setStage('saving');
    this.#review.setBusy(true);
    const request = this.#startRequest();
    try {
      const result = await addSpeech({ origin, fields: values, token: this.#token.value, dryRun: false, signal: request.signal });
      if (request.signal.aborted) return;
      this.#request = null;
      this.#showSuccess(result.speech);
      this.#options.onAdded(result.speech);
    } catch (error) {
      if (request.signal.aborted) return;
      this.#request = null;
      this.#review.setBusy(false);
      this.#setStage('review');
      this.#showProblem(this.#explain(error), 'save');
    }
  }

  #showSuccess(speech: SpeechSummary): void {
    this.#saved = speech;
    this.#origin = null;
    this.#review.hide();
    this.#setStatus('');
    const rows: Array<[string, string]> = [
      ['Title', speech.title],
      ['Speaker', [speech.speaker, speech.role].filter(Boolean).join(', ')],
      ['Date', formatDate(speech.date)],
      ['Paragraphs', String(speech.paragraphs)],
      ['Id', speech.id],
    ];
    this.#successDetails.replaceChildren(
      ...rows.filter(([, value]) => value !== '').flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]),
    );
    this.#success.hidden = false;
    this.#setStage('done');
    this.#success.focus();
  }

  #showProblem(problem: AddSpeechProblem, step?: Step): void {
    const retry = problem.retry && step !== undefined ? step : null;
    this.#problem.dataset.retry = retry ?? '';
    this.#problem.replaceChildren(...renderAddSpeechProblem(problem, { onRetry: retry === null ? null : () => this.#retry() }));
    this.#problem.hidden = false;
    if (problem.focus === 'token') this.#token.focus();
    else if (problem.focus === 'file') (this.#review.isHidden() ? this.#chooseButton : this.#chooseAnother).focus();
    else if (problem.focus === 'address') (this.#review.isHidden() ? this.#address : this.#chooseAnother).focus();
    else if (problem.focus === 'fields' && !this.#review.isHidden()) this.#review.focusFirst();
  }

  #retryStep(): Step | null {
    const step = this.#problem.hidden ? '' : this.#problem.dataset.retry;
    return step === 'check' || step === 'save' ? step : null;
  }

  #retry(): void {
    const step = this.#retryStep();
    this.#hideProblem();
    if (step === 'check' && this.#origin) void this.#check(this.#origin);
    if (step === 'save') void this.#save(this.#review.values());
  }

  #hideProblem(): void {
    this.#problem.hidden = true;
    this.#problem.replaceChildren();
    this.#problem.dataset.retry = '';
  }

  /** Back to the start: no speech chosen, no review, no message; a request under way is cancelled. */
  #reset(): void {
    this.#request?.abort();
    this.#request = null;
    this.#origin = null;
    this.#saved = null;
    this.#review.hide();
    this.#success.hidden = true;
    this.#hideProblem();
    this.#setStatus('');
    this.#setStage('choose');
    delete this.#fileStatus.dataset.note;
  }

  #startRequest(): AbortController {
    this.#request?.abort();
    const controller = new AbortController();
    this.#request = controller;
    return controller;
  }

  #setStatus(text: string, options: { busy?: boolean } = {}): void {
    const note = this.#fileStatus.dataset.note;
    this.#fileStatus.replaceChildren(
      ...(options.busy ? [el('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } })] : []),
      ...(text ? [el('span', { text })] : []),
      ...(note && text ? [el('span', { className: 'file-status-note', text: note })] : []),
    );
    if (options.busy) this.#fileStatus.setAttribute('aria-busy', 'true');
    else this.#fileStatus.removeAttribute('aria-busy');
  }

  #setStage(stage: Stage): void {
    this.#body.dataset.stage = stage;
  }

  #syncForget(): void {
    this.#forget.disabled = this.#token.value === '' && readAdminToken() === '';
  }
}
