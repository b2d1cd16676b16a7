// Load over the chat socket as users make it: C clients each asking one question every 1/rate seconds for D
// seconds, on a fixed schedule (a slow answer does not slow the asking), while `/api/health` is probed in a loop.
// Each client has a loopback address of its own, as users have machines of their own.

import { setMaxListeners } from 'node:events';
import WebSocket from 'ws';
import type { AskFrame, ServerFrame } from '../../server/core/protocol.ts';
import { parseServerFrame } from '../../server/core/server-frames.ts';
import { loopbackSourceAddress } from '../loopback-address.ts';
import { latencyOf, type Latency } from './latency.ts';
import { fetchHealth } from './product-server.ts';

/** The load to make. */
export interface SocketLoadOptions {
  url: string;
  clients: number;
  /** Questions per second per client. */
  ratePerSecond: number;
  durationSeconds: number;
  questions: readonly string[];
  /** After the last question is sent, how long answers still in progress are waited for. */
  drainMs: number;
  signal: AbortSignal;
}

/** What the load met. Latencies of questions still unanswered at the end count as the time they waited. */
export interface SocketLoadFigures {
  clients: number;
  ratePerSecond: number;
  durationSeconds: number;
  sent: number;
  answered: number;
  /** Questions answered with an error frame (e.g. `rate_limited`). */
  refused: number;
  /** Questions without any reply when the wait ended. */
  unanswered: number;
  latencyMs: Latency;
  /** `/api/health` round trips during the load. */
  healthMs: Latency;
}

const CONNECT_TIMEOUT_MS = 30_000;
const HEALTH_PROBE_PAUSE_MS = 100;

/** The type of a frame from the server, or null when it is not one. */
function frameTypeOf(data: WebSocket.RawData): ServerFrame['type'] | null {
  try {
    return parseServerFrame(data.toString()).type;
  } catch {
    return null;
  }
}

/** Opens one chat socket from `localAddress` (null: the default) and waits for its `ready` frame. */
function connect(url: string, localAddress: string | null, signal: AbortSignal): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, localAddress === null ? {} : { localAddress });
    const onAbort = () => fail(new Error('aborted'));
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      settle();
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no ready frame within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    signal.addEventListener('abort', onAbort, { once: true });
    ws.once('error', fail);
    ws.once('message', (data: WebSocket.RawData) => {
      settle();
      if (frameTypeOf(data) === 'ready') resolve(ws);
      else fail(new Error(`the first frame was not ready: ${data.toString().slice(0, 80)}`));
    });
  });
}

/** Probes `/api/health` one request after another until `stop` resolves; returns each round trip. */
async function probeHealth(url: string, stop: Promise<void>, options: { timeoutMs: number }): Promise<number[]> {
  const times: number[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const started = performance.now();
    // A probe cut off by the timeout still waited that long: it counts as its wait.
    await fetchHealth(url, options.timeoutMs);
    times.push(performance.now() - started);
    await Promise.race([stop, new Promise((resolve) => setTimeout(resolve, HEALTH_PROBE_PAUSE_MS))]);
  }
  return times;
}

/** Runs the load and returns its figures; every socket is closed when it returns. */
export async function runSocketLoad(options: SocketLoadOptions): Promise<SocketLoadFigures> {
  // Each client waits for its `ready` frame listening to the signal: as many listeners as clients, on purpose.
  setMaxListeners(options.clients + 10, options.signal);
  const connected = await Promise.allSettled(Array.from({ length: options.clients }, (_, i) => connect(options.url, loopbackSourceAddress(options.url, 3, i), options.signal)));
  const sockets = connected.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = connected.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    for (const ws of sockets) ws.terminate();
    throw new Error(`${options.clients - sockets.length} of ${options.clients} clients could not connect: ${String(failed.reason)}`);
  }
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let refused = 0;
  let settle = () => {};
  const allSettled = new Promise<void>((resolve) => (settle = resolve));
  let sending = true;
  const onReply = (data: WebSocket.RawData) => {
    let frame: ServerFrame;
    try {
      frame = parseServerFrame(data.toString());
    } catch {
      return;
    }
    if ((frame.type !== 'answer' && frame.type !== 'error') || frame.id === null) return;
    const sent = sentAt.get(frame.id);
    if (sent === undefined) return;
    sentAt.delete(frame.id);
    if (frame.type === 'answer') latencies.push(performance.now() - sent);
    else refused += 1;
    if (!sending && sentAt.size === 0) settle();
  };
  for (const ws of sockets) {
    ws.on('message', onReply);
    // A connection the server drops leaves its questions unanswered, which the figures count.
    ws.on('error', () => {});
  }

  const periodMs = 1000 / options.ratePerSecond;
  const start = performance.now();
  const end = start + options.durationSeconds * 1000;
  const timers: NodeJS.Timeout[] = [];
  let sent = 0;
  sockets.forEach((ws, client) => {
    // Clients are spread over one period, so questions arrive evenly rather than in bursts.
    const ask = (turn: number) => {
      const due = start + (client / options.clients + turn) * periodMs;
      if (due >= end) return;
      timers[client] = setTimeout(() => {
        const id = `c${client}-q${turn}`;
        const frame: AskFrame = { type: 'ask', id, question: options.questions[(client + turn) % options.questions.length] ?? '', topK: 3 };
        sentAt.set(id, performance.now());
        sent += 1;
        ws.send(JSON.stringify(frame));
        ask(turn + 1);
      }, Math.max(0, due - performance.now()));
    };
    ask(0);
  });

  const drained = new Promise<void>((resolve) => {
    const sendEnd = setTimeout(() => {
      sending = false;
      if (sentAt.size === 0) settle();
      const drainEnd = setTimeout(resolve, options.drainMs);
      void allSettled.then(() => {
        clearTimeout(drainEnd);
        resolve();
      });
    }, Math.max(0, end - performance.now()) + periodMs);
    options.signal.addEventListener('abort', () => {
      clearTimeout(sendEnd);
      resolve();
    }, { once: true });
  });
  const health = await probeHealth(options.url, drained, { timeoutMs: options.durationSeconds * 1000 + options.drainMs });
  await drained;
  for (const timer of timers) clearTimeout(timer);
  for (const ws of sockets) ws.terminate();
  options.signal.throwIfAborted();
  const now = performance.now();
  const unanswered = [...sentAt.values()].map((sentTime) => now - sentTime);
  return {
    clients: options.clients,
    ratePerSecond: options.ratePerSecond,
    durationSeconds: options.durationSeconds,
    sent,
    answered: latencies.length,
    refused,
    unanswered: unanswered.length,
    latencyMs: latencyOf([...latencies, ...unanswered]),
    healthMs: latencyOf(health),
  };
}
