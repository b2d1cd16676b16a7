// What to tell a person when adding a speech fails: each server error code in plain words, with what to do
// next, and the message built from it (text only).

import { describeFormats, MAX_SPEECH_FILE_BYTES } from '../server/core/source-formats.ts';
import { ApiError } from './api-request.ts';
import { el } from './dom.ts';

/** A failure explained: a lead sentence, further lines, an optional command to run, and where to go next. */
export interface AddSpeechProblem {
  lead: string;
  lines: string[];
  /** A shell command that fixes it, shown as code. */
  command?: string;
  /** The control to put focus on so the person can fix it. */
  focus: 'token' | 'file' | 'address' | 'fields' | null;
  /** Whether trying the same request again can help (after fixing the token, or a network blip). */
  retry: boolean;
}

/** How each kind of speech is named in the messages about it. */
const SUBJECTS = {
  file: { what: 'file', unreadableHint: 'Encrypted or scanned PDFs and empty files cannot be read. Try another copy of the speech, for example as text.' },
  address: { what: 'page', unreadableHint: 'Try the address of the speech itself rather than a list of speeches, or save the speech and add the file.' },
} as const;

const LIMIT_TEXT = `${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB`;

/**
 * Explains `error` from a dry run or a save; `hadToken` tells a missing token from a wrong one, `subject` whether
 * the speech came from a file or a web address.
 */
export function explainAddSpeechError(error: unknown, options: { hadToken: boolean; subject?: 'file' | 'address' }): AddSpeechProblem {
  if (!(error instanceof ApiError)) {
    return { lead: 'Something went wrong in this page while adding the speech.', lines: [String(error)], focus: null, retry: true };
  }
  const serverSaid = error.message ? [`The server said: ${error.message}`] : [];
  const subject = options.subject ?? 'file';
  const { what, unreadableHint } = SUBJECTS[subject];
  switch (error.code) {
    case 'forbidden':
      return {
        lead: 'Adding speeches is turned off on this server.',
        lines: [
          'To turn it on, whoever runs the server starts it with an admin token: a secret of at least 16 characters, for example:',
          'Then enter the same token in the “Admin token” field above and try again.',
        ],
        command: 'ADMIN_TOKEN=<a long secret> npm start',
        focus: 'token',
        retry: true,
      };
    case 'unauthorized':
      return options.hadToken
        ? {
            lead: 'The admin token was not accepted.',
            lines: ['Check the token (it must match ADMIN_TOKEN on the server exactly) and try again.'],
            focus: 'token',
            retry: true,
          }
        : {
            lead: 'This server needs its admin token to add speeches.',
            lines: ['Enter the ADMIN_TOKEN the server was started with in the “Admin token” field above, then try again.'],
            focus: 'token',
            retry: true,
          };
    case 'duplicate':
      return {
        lead: 'This speech is already in the collection, so it was not added again.',
        lines: serverSaid,
        focus: subject,
        retry: false,
      };
    case 'unsupported_type':
      return {
        lead: subject === 'file' ? 'This kind of file cannot be added.' : 'This address does not lead to a speech that can be read.',
        lines: [...serverSaid, `A speech can be added as ${describeFormats()}.`],
        focus: subject,
        retry: false,
      };
    case 'too_large':
      return { lead: `The ${what} is too large to add.`, lines: [...serverSaid, `The largest ${what} that can be added is ${LIMIT_TEXT}.`], focus: subject, retry: false };
    case 'unreadable':
      return { lead: `No speech text could be read from this ${what}.`, lines: [...serverSaid, unreadableHint], focus: subject, retry: false };
    case 'address_not_allowed':
      return {
        lead: 'The server does not fetch pages from this address.',
        lines: [
          ...serverSaid,
          'Addresses on the server’s own machine or its private network are refused, unless whoever runs the server allows them with URL_FETCH_ALLOW_PRIVATE.',
        ],
        focus: 'address',
        retry: false,
      };
    case 'fetch_failed':
      return {
        lead: 'The page could not be fetched.',
        lines: [...serverSaid, 'Check the address in a browser. If the page needs a login, save the speech and add the file instead.'],
        focus: 'address',
        retry: true,
      };
    case 'bad_request':
      return { lead: 'The server could not accept these details.', lines: serverSaid, focus: 'fields', retry: false };
    case 'busy':
      return { lead: 'The server is busy with another change to the speeches.', lines: ['Wait a moment and try again.'], focus: null, retry: true };
    case 'network':
      return { lead: 'The server could not be reached.', lines: ['Check the connection and try again.'], focus: null, retry: true };
    default:
      return { lead: 'The speech could not be added.', lines: serverSaid, focus: null, retry: true };
  }
}

/** The message's content: lead, lines (the command after the first), and "Try again" when `onRetry` is given. */
export function renderAddSpeechProblem(problem: AddSpeechProblem, options: { onRetry: (() => void) | null }): Node[] {
  const nodes: Node[] = [el('p', { className: 'add-problem-lead', text: problem.lead })];
  problem.lines.forEach((line, index) => {
    nodes.push(el('p', { text: line }));
    // The command belongs right after the line that introduces it.
    if (index === 0 && problem.command) nodes.push(el('pre', { className: 'add-problem-command', children: [el('code', { text: problem.command })] }));
  });
  if (options.onRetry) {
    const button = el('button', { className: 'secondary-button compact', attrs: { type: 'button' }, text: 'Try again' });
    button.addEventListener('click', options.onRetry);
    nodes.push(button);
  }
  return nodes;
}
