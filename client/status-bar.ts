// The service status shown to the user: connection state, retrieval mode, corpus size, and the
// plain-language notice that appears while answers come from keyword search only (until dismissed in this tab).

import { assertNever } from '../server/core/protocol.ts';
import type { RetrievalMode } from '../server/core/types.ts';
import type { ConnectionState, StateDetail } from './chat-connection.ts';
import { paragraphCount, plural } from './counts.ts';

/** The elements the status bar drives. */
export interface StatusBarOptions {
  /** Root carrying `data-connection` (for styling) and containing the parts below. */
  root: HTMLElement;
  /** The state in words; should be an aria-live region, so it is only rewritten when the words change. */
  connectionText: HTMLElement;
  /** Secondary detail such as the retry countdown; not live, to avoid chatter while the server is down. */
  connectionDetail: HTMLElement;
  modeText: HTMLElement;
  corpusText: HTMLElement;
  /** Shown only in lexical mode, until dismissed. */
  lexicalNotice: HTMLElement;
  /** Dismisses the notice for the rest of this tab's session. */
  dismissNotice: HTMLButtonElement;
  /** "Retry now" while waiting to reconnect. */
  retryButton: HTMLButtonElement;
}

const MODE_TEXT: Record<RetrievalMode, string> = {
  hybrid: 'Semantic + keyword search',
  lexical: 'Keyword search only',
  dense: 'Semantic search only',
};

/** Keeps the status bar and the lexical-mode notice in step with the connection. */
export class StatusBar {
  readonly #parts: StatusBarOptions;

  constructor(options: StatusBarOptions) {
    this.#parts = options;
    this.setConnection('connecting', { retryInMs: null, failures: 0 });
    options.dismissNotice.addEventListener('click', () => {
      rememberDismissal();
      options.lexicalNotice.hidden = true;
      document.getElementById('question')?.focus();
    });
  }

  /** Shows the connection state ("Connecting…", "Connected", "Reconnecting…" with the time to the next try). */
  setConnection(state: ConnectionState, detail: StateDetail): void {
    this.#parts.root.dataset.connection = state;
    const text = connectionText(state);
    if (this.#parts.connectionText.textContent !== text) this.#parts.connectionText.textContent = text;
    this.#parts.connectionDetail.textContent =
      state === 'reconnecting' && detail.retryInMs !== null ? `next try in ${Math.max(1, Math.round(detail.retryInMs / 1000))} s` : '';
    this.#parts.retryButton.hidden = !(state === 'reconnecting' && detail.retryInMs !== null);
  }

  /** Shows the retrieval mode; the lexical notice is visible only in lexical mode. */
  setMode(mode: RetrievalMode): void {
    this.#parts.root.dataset.mode = mode;
    this.#parts.modeText.textContent = MODE_TEXT[mode] ?? String(mode);
    this.#parts.modeText.hidden = false;
    this.#parts.lexicalNotice.hidden = mode !== 'lexical' || noticeDismissed();
  }

  /** Shows how many speeches and paragraphs are searchable. */
  setCorpus(speeches: number, paragraphs: number): void {
    if (!Number.isFinite(speeches) || !Number.isFinite(paragraphs)) return;
    this.#parts.corpusText.textContent = `${plural(speeches, 'speech', 'speeches')}, ${paragraphCount(paragraphs)}`;
    this.#parts.corpusText.hidden = false;
  }
}

const DISMISSED_KEY = 'idm-chat.lexical-notice-dismissed';

/** True when the notice was dismissed in this tab (session storage; where refused, only for this page). */
function noticeDismissed(): boolean {
  try {
    return window.sessionStorage.getItem(DISMISSED_KEY) === 'true' || dismissedHere;
  } catch {
    return dismissedHere;
  }
}

let dismissedHere = false;

function rememberDismissal(): void {
  dismissedHere = true;
  try {
    window.sessionStorage.setItem(DISMISSED_KEY, 'true');
  } catch {
    // Remembered for this page only.
  }
}

function connectionText(state: ConnectionState): string {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'closed':
      return 'Disconnected';
    case 'reconnecting':
      return 'Reconnecting…';
    default:
      return assertNever(state, 'connection state');
  }
}
