// Entry point of the chat page: finds the page's elements and wires the connection, the question box,
// the conversation, the status bar, the speech viewer, the speech filter and the "Add a speech" panel together.

import { PROTOCOL_LIMITS, type ServerFrame } from '../server/core/protocol.ts';
import { AddSpeechPanel } from './add-speech-panel.ts';
import { ChatConnection, defaultSocketUrl } from './chat-connection.ts';
import { Conversation } from './conversation.ts';
import { requireElement } from './dom.ts';
import { QuestionForm } from './question-form.ts';
import { fetchSpeechList, forgetCachedSpeeches } from './speech-api.ts';
import { SpeechFilter } from './speech-filter.ts';
import { SpeechViewer } from './speech-viewer.ts';
import { StatusBar } from './status-bar.ts';

function start(): void {
  const viewer = new SpeechViewer({ dialog: requireElement('speech-viewer', HTMLDialogElement) });
  const status = new StatusBar({
    root: requireElement('status', HTMLElement),
    connectionText: requireElement('connection-text', HTMLElement),
    connectionDetail: requireElement('connection-detail', HTMLElement),
    modeText: requireElement('mode-text', HTMLElement),
    corpusText: requireElement('corpus-text', HTMLElement),
    lexicalNotice: requireElement('lexical-notice', HTMLElement),
    retryButton: requireElement('retry-now', HTMLButtonElement),
  });

  const filter = new SpeechFilter({ root: requireElement('scope-bar', HTMLElement) });
  // Only the latest listing counts: a slow reply must not overwrite a newer one.
  let listing = 0;
  const refreshSpeeches = (): void => {
    const token = ++listing;
    fetchSpeechList().then(
      (speeches) => {
        if (token === listing) filter.setSpeeches(speeches);
      },
      () => {
        if (token === listing) filter.setListProblem('The list of speeches could not be loaded; it is tried again when the speeches change.');
      },
    );
  };

  let nextId = 1;
  const ask = (question: string): void => {
    const id = `c${nextId++}`;
    const delivery = connection.ask({ type: 'ask', id, question, topK: PROTOCOL_LIMITS.defaultTopK, ...filter.current() });
    conversation.addQuestion(id, question, delivery, { scope: filter.describe() });
  };

  const conversation = new Conversation({
    log: requireElement('conversation', HTMLElement),
    emptyState: document.getElementById('empty-state'),
    onOpenCitation: (request) => viewer.open(request),
    onRetry: (question) => ask(question),
  });

  const form = new QuestionForm({
    form: requireElement('question-form', HTMLFormElement),
    textarea: requireElement('question', HTMLTextAreaElement),
    hint: requireElement('question-hint', HTMLElement),
    onSubmit: (question) => ask(question),
  });

  const connection = new ChatConnection({
    url: defaultSocketUrl(),
    onFrame: (frame: ServerFrame) => {
      switch (frame.type) {
        case 'ready':
          status.setMode(frame.mode);
          status.setCorpus(frame.speeches, frame.paragraphs);
          // Speeches may have come or gone while we were away.
          refreshSpeeches();
          break;
        case 'corpus':
          status.setCorpus(frame.speeches, frame.paragraphs);
          forgetCachedSpeeches();
          refreshSpeeches();
          break;
        case 'mode':
          status.setMode(frame.mode);
          break;
        case 'answer':
          conversation.showAnswer(frame);
          break;
        case 'error':
          conversation.showError(frame);
          break;
      }
    },
    onStateChange: (state, detail) => {
      status.setConnection(state, detail);
      form.setOnline(state === 'connected' || state === 'connecting');
      conversation.setOnline(state === 'connected');
    },
    onDelivery: (id, delivery) => conversation.setDelivery(id, delivery),
    onBadFrame: (error) => console.warn('Ignored a malformed frame from the server:', error),
  });

  const panel = new AddSpeechPanel({
    dialog: requireElement('add-speech', HTMLDialogElement),
    onAdded: () => refreshSpeeches(),
    onAskAbout: (speech) => {
      filter.only(speech);
      form.focus();
    },
  });
  requireElement('add-speech-open', HTMLButtonElement).addEventListener('click', () => panel.open());

  requireElement('retry-now', HTMLButtonElement).addEventListener('click', () => connection.retryNow());
  // The browser knows before our backoff timer does that the network is back.
  window.addEventListener('online', () => connection.retryNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') connection.retryNow();
  });

  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-example-question]')) {
    button.addEventListener('click', () => form.ask(button.dataset.exampleQuestion ?? button.textContent ?? ''));
  }

  connection.connect();
}

start();
