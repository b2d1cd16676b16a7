// Entry point of the chat page: finds the page's elements and wires the connection, the question box, the
// conversation (kept across reloads in this tab), the status bar, the speech viewer and its permalinks, the speech
// filter and the "Add a speech" panel together.

import { dispatchFrame, PROTOCOL_LIMITS, type AskFrame, type FrameHandlers, type ServerFrame } from '../server/core/protocol.ts';
import { AddSpeechPanel } from './add-speech-panel.ts';
import { ChatConnection, defaultSocketUrl } from './chat-connection.ts';
import { setAnnouncer } from './clipboard.ts';
import { Conversation } from './conversation.ts';
import { conversationAsMarkdown, downloadText, exportFileName } from './conversation-export.ts';
import { clearConversation, loadConversation, saveConversation } from './conversation-store.ts';
import { requireElement } from './dom.ts';
import { passageAt, passagePath } from './passage-link.ts';
import { QuestionForm } from './question-form.ts';
import { fetchSpeechList, forgetCachedSpeeches } from './speech-api.ts';
import { SpeechFilter } from './speech-filter.ts';
import { SpeechViewer } from './speech-viewer.ts';
import { StatusBar } from './status-bar.ts';

function start(): void {
  setAnnouncer(requireElement('announcer', HTMLElement));
  const viewer = new SpeechViewer({
    dialog: requireElement('speech-viewer', HTMLDialogElement),
    // The address bar follows the viewer, so that it can be copied or bookmarked as it is.
    onShow: (address) => history.replaceState(null, '', address === null ? '/' : passagePath(address)),
  });
  const status = new StatusBar({
    root: requireElement('status', HTMLElement),
    connectionText: requireElement('connection-text', HTMLElement),
    connectionDetail: requireElement('connection-detail', HTMLElement),
    modeText: requireElement('mode-text', HTMLElement),
    corpusText: requireElement('corpus-text', HTMLElement),
    lexicalNotice: requireElement('lexical-notice', HTMLElement),
    dismissNotice: requireElement('lexical-notice-dismiss', HTMLButtonElement),
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

  const tools = requireElement('conversation-tools', HTMLElement);
  const conversation = new Conversation({
    log: requireElement('conversation', HTMLElement),
    emptyState: document.getElementById('empty-state'),
    onOpenCitation: (request) => viewer.open(request),
    onRetry: (question) => ask(question),
    onChange: () => {
      saveConversation(conversation.list());
      tools.hidden = conversation.isEmpty;
    },
  });

  // Ids go on from the highest kept before a reload, so that no two questions of this tab share one.
  const kept = loadConversation();
  let nextId = Math.max(0, ...kept.map(({ ask }) => Number(/^c(\d+)$/.exec(ask.id)?.[1] ?? 0))) + 1;
  const ask = (question: string): void => {
    const frame: AskFrame = { type: 'ask', id: `c${nextId++}`, question, topK: PROTOCOL_LIMITS.defaultTopK, ...filter.current() };
    conversation.addQuestion(frame, connection.ask(frame), { scope: filter.describe() });
  };

  const form = new QuestionForm({
    form: requireElement('question-form', HTMLFormElement),
    textarea: requireElement('question', HTMLTextAreaElement),
    hint: requireElement('question-hint', HTMLElement),
    onSubmit: (question) => ask(question),
  });

  /** What the page does with each frame from the server: one handler per type. */
  const onFrame: FrameHandlers<ServerFrame> = {
    ready: (frame) => {
      status.setMode(frame.mode);
      status.setCorpus(frame.speeches, frame.paragraphs);
      // Speeches may have come or gone while we were away.
      refreshSpeeches();
    },
    corpus: (frame) => {
      status.setCorpus(frame.speeches, frame.paragraphs);
      forgetCachedSpeeches();
      refreshSpeeches();
    },
    mode: (frame) => status.setMode(frame.mode),
    answer: (frame) => conversation.showAnswer(frame),
    error: (frame) => conversation.showError(frame),
  };

  const connection = new ChatConnection({
    url: defaultSocketUrl(),
    onFrame: (frame) => dispatchFrame(onFrame, frame),
    onStateChange: (state, detail) => {
      status.setConnection(state, detail);
      form.setOnline(state === 'connected' || state === 'connecting');
      conversation.setOnline(state === 'connected');
    },
    onDelivery: (id, delivery) => conversation.setDelivery(id, delivery),
    onBadFrame: (error) => console.warn('Ignored a malformed frame from the server:', error),
  });

  // The conversation of this tab before a reload; questions that had no answer yet are asked again.
  conversation.restore(kept, (frame) => connection.ask(frame));
  tools.hidden = conversation.isEmpty;

  requireElement('export-conversation', HTMLButtonElement).addEventListener('click', () => {
    const now = new Date();
    downloadText(exportFileName(now), conversationAsMarkdown(conversation.list(), { origin: window.location.origin, exportedAt: now }));
  });
  requireElement('new-conversation', HTMLButtonElement).addEventListener('click', () => {
    conversation.clear();
    clearConversation();
    form.focus();
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

  // A permalink (`/speeches/<id>#p12`) opens its paragraph, on a fresh load and when the address changes.
  const openAddressed = (): void => {
    const address = passageAt(window.location);
    if (address !== null) viewer.open({ speechId: address.speechId, paragraph: address.paragraph });
  };
  window.addEventListener('hashchange', openAddressed);
  window.addEventListener('popstate', openAddressed);
  openAddressed();

  connection.connect();
}

start();
