// The conversation kept in this tab's session storage, so that a reload shows it again; read back through the
// protocol's own parsers, so nothing stored is trusted more than a frame from the network.

import { parseClientFrame, type AnswerFrame, type AskFrame, type ErrorFrame } from '../server/core/protocol.ts';
import { parseServerFrame } from '../server/core/server-frames.ts';

/** One exchange as kept: the question as sent, the filter in words, and the reply once it came. */
export interface StoredExchange {
  ask: AskFrame;
  /** The speech filter in force, in words; null for all speeches. */
  scope: string | null;
  reply: AnswerFrame | ErrorFrame | null;
}

const STORAGE_KEY = 'idm-chat.conversation.v1';
/** The most exchanges kept; older ones are dropped first. */
export const MAX_STORED_EXCHANGES = 100;

/** Session storage, or null where the browser refuses it (privacy modes, storage disabled). */
function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function readExchange(value: unknown): StoredExchange | null {
  if (typeof value !== 'object' || value === null) return null;
  const { ask, scope, reply } = value as Record<string, unknown>;
  try {
    const parsedAsk = parseClientFrame(JSON.stringify(ask));
    const parsedReply = reply === null ? null : parseServerFrame(JSON.stringify(reply));
    if (parsedReply !== null && parsedReply.type !== 'answer' && parsedReply.type !== 'error') return null;
    return { ask: parsedAsk, scope: typeof scope === 'string' ? scope : null, reply: parsedReply };
  } catch {
    return null;
  }
}

/** The exchanges kept in this tab, oldest first; what cannot be read is left out. */
export function loadConversation(): StoredExchange[] {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (raw === null || raw === undefined) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value.map(readExchange).filter((exchange) => exchange !== null);
  } catch {
    return [];
  }
}

/** Keeps `exchanges` (the latest {@link MAX_STORED_EXCHANGES}); a full or refused storage only costs the keeping. */
export function saveConversation(exchanges: readonly StoredExchange[]): void {
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(exchanges.slice(-MAX_STORED_EXCHANGES)));
  } catch {
    // Over quota: the page works on, it just will not survive a reload.
  }
}

/** Forgets the kept conversation. */
export function clearConversation(): void {
  storage()?.removeItem(STORAGE_KEY);
}
