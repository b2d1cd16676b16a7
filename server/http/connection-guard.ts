// Admits or refuses each TCP connection before any request on it is served: a global cap, a cap per client address,
// and a ban on addresses that flooded the chat socket. Refused connections get a clear HTTP error on their first
// request (429 or 503) and are dropped soon after, so that they hold nothing.

import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { createRefusalLog } from './refusal-log.ts';

/** The connection limits (`MAX_CONNECTIONS`, `MAX_CONNECTIONS_PER_IP`, `FLOOD_BAN_SECONDS`). */
export interface ConnectionLimits {
  /** Open connections (page loads, API calls, chat sockets) at once, from everyone. */
  maxConnections: number;
  /** Open connections at once from one client address. */
  maxConnectionsPerIp: number;
  /** How long an address that flooded the chat socket is refused; 0 never bans. */
  banMs: number;
}

/** Why a connection was refused, and when to try again. */
export interface Refusal {
  error: AppError;
  retryAfterSeconds: number;
  /** The kind of refusal, in the log (one line per address and kind per minute). */
  reason: 'banned' | 'server full' | 'address full';
}

/** The admission of connections to one server. */
export interface ConnectionGuard {
  /** The refusal of `socket`'s connection, or undefined when it was admitted. */
  refusalOf(socket: Socket): Refusal | undefined;
  /** Refuses new connections from `address` for the configured ban time. */
  ban(address: string): void;
  /** Open admitted connections. */
  openConnections(): number;
  /** Stops admitting and refusing (the server is closing). */
  close(): void;
}

/** A refused connection has this long to send its request and read the refusal before it is dropped. */
const REFUSED_GRACE_MS = 2_000;
/** Refused connections of one address that may wait for their answer at once; beyond, they are dropped unanswered. */
const MAX_PENDING_REFUSALS_PER_ADDRESS = 8;
/** Refusals are logged once per address and reason per minute. */
const LOG_INTERVAL_MS = 60_000;

/** The address of a socket's peer, with IPv4 addresses mapped into IPv6 written as plain IPv4. */
export function clientAddressOf(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Starts admitting `server`'s connections within `limits`. */
export function guardConnections(server: Server, limits: ConnectionLimits, options: { log?: Logger; now?: () => number } = {}): ConnectionGuard {
  const now = options.now ?? Date.now;
  const refusals = createRefusalLog(options.log ?? SILENT_LOGGER, { intervalMs: LOG_INTERVAL_MS, now });
  const perAddress = new Map<string, number>();
  const bannedUntil = new Map<string, number>();
  const refused = new WeakMap<Socket, Refusal>();
  const pendingRefusals = new Map<string, number>();
  let open = 0;

  const refusalFor = (address: string): Refusal | null => {
    const until = bannedUntil.get(address);
    if (until !== undefined && until > now()) {
      const seconds = (until - now()) / 1000;
      return { error: new AppError('rate_limited', `this address sent too many frames over the limit; try again in ${Math.ceil(seconds)} s`), retryAfterSeconds: seconds, reason: 'banned' };
    }
    if (until !== undefined) bannedUntil.delete(address);
    if (open >= limits.maxConnections) {
      return { error: new AppError('overloaded', 'the server has as many connections as it allows; try again shortly'), retryAfterSeconds: 5, reason: 'server full' };
    }
    if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerIp) {
      return { error: new AppError('rate_limited', `at most ${limits.maxConnectionsPerIp} connections from one address at once`), retryAfterSeconds: 5, reason: 'address full' };
    }
    return null;
  };

  /**
   * Marks the connection refused: its first request is answered with the refusal. It is dropped after a short grace
   * however slowly it sends (a slow drip of header bytes keeps nothing open), and at once when its address already
   * has enough refusals waiting, so that refused connections cost a bounded amount per address.
   */
  const refuse = (socket: Socket, address: string, refusal: Refusal) => {
    refusals.refused(address, `connection refused (${refusal.reason}): ${refusal.error.code}`);
    const pending = pendingRefusals.get(address) ?? 0;
    if (pending >= MAX_PENDING_REFUSALS_PER_ADDRESS) {
      socket.destroy();
      return;
    }
    refused.set(socket, refusal);
    pendingRefusals.set(address, pending + 1);
    const timer = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      const left = (pendingRefusals.get(address) ?? 1) - 1;
      if (left === 0) pendingRefusals.delete(address);
      else pendingRefusals.set(address, left);
    });
  };

  const onConnection = (socket: Socket) => {
    const address = clientAddressOf(socket);
    const refusal = refusalFor(address);
    if (refusal !== null) {
      refuse(socket, address, refusal);
      return;
    }
    open += 1;
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      open -= 1;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  };
  // First in line, so the decision exists before the HTTP parser sees a byte.
  server.prependListener('connection', onConnection);

  return {
    refusalOf: (socket) => refused.get(socket),
    ban(address) {
      if (limits.banMs <= 0) return;
      bannedUntil.set(address, now() + limits.banMs);
      // Bans expire; forgetting expired ones keeps the map as small as the set of addresses banned lately.
      if (bannedUntil.size > 10_000) for (const [a, until] of bannedUntil) if (until <= now()) bannedUntil.delete(a);
    },
    openConnections: () => open,
    close() {
      server.off('connection', onConnection);
    },
  };
}
