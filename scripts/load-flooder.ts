// A hostile client for `npm run load -- --flood N`, run in a worker thread of its own (so that its loop does not
// delay the measured clients): sends ask frames as fast as the socket takes them, and reconnects at once whenever
// it is closed or refused, until told to stop.

import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

/** What a flooder is told. */
export interface FlooderOptions {
  url: string;
  /** Loopback address to connect from (its own "machine"), or null for the default. */
  localAddress: string | null;
}

/** What a flooder did. */
export interface FlooderReport {
  framesSent: number;
  connectionsOpened: number;
  /** Upgrades answered with an HTTP error (429, 503) or dropped before the handshake. */
  refused: number;
  closedWith1008: number;
  closedOtherwise: number;
}

const options = (workerData as { data: FlooderOptions }).data;
const report: FlooderReport = { framesSent: 0, connectionsOpened: 0, refused: 0, closedWith1008: 0, closedOtherwise: 0 };
let stopping = false;
let current: WebSocket | null = null;
const FRAME = JSON.stringify({ type: 'ask', id: 'flood', question: 'migration governance partnerships' });
/** Frames written per turn of the event loop, and the unsent backlog at which the flooder waits. */
const BATCH = 200;
const MAX_BACKLOG_BYTES = 1024 * 1024;

/** One connection: floods until closed or refused; resolves when it is over. */
function floodOnce(): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(options.url, options.localAddress === null ? {} : { localAddress: options.localAddress });
    current = ws;
    let opened = false;
    ws.on('unexpected-response', (request) => {
      report.refused += 1;
      request.destroy();
      resolve();
    });
    ws.on('error', () => {
      if (!opened) report.refused += 1;
      resolve();
    });
    ws.on('open', () => {
      opened = true;
      report.connectionsOpened += 1;
      const pump = () => {
        if (stopping || ws.readyState !== WebSocket.OPEN) return;
        if (ws.bufferedAmount < MAX_BACKLOG_BYTES) {
          for (let i = 0; i < BATCH; i += 1) ws.send(FRAME);
          report.framesSent += BATCH;
          setImmediate(pump);
        } else {
          // The socket takes no more for now: wait for it rather than spin, which would only measure this
          // machine's CPU (a real flooder spins on its own machine, not on the server's).
          setTimeout(pump, 1);
        }
      };
      pump();
    });
    ws.on('close', (code) => {
      if (opened) {
        if (code === 1008) report.closedWith1008 += 1;
        else report.closedOtherwise += 1;
      }
      resolve();
    });
  });
}

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  stopping = true;
  current?.terminate();
});
while (!stopping) await floodOnce();
parentPort?.postMessage(report);
