// `npm run load -- --clients 200 --rate 1 --duration 30 [--url ws://…] [--flood N] [--rounds R] [--pid P] [--json]`:
// real WebSocket clients on loopback ask questions at a steady rate; reports throughput, latency percentiles,
// errors and `rate_limited` counts, and the server's memory before and after. With --flood, phases without and with
// N flooding clients alternate, and the report compares the others' p95 (the flooder ratio).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startWorkerThread } from '../server/adapters/worker-thread.ts';
import { PROJECT_ROOT } from '../server/config.ts';
import { quantile } from '../server/core/evaluation.ts';
import type { ServerFrame } from '../server/core/protocol.ts';
import type { FlooderReport } from './load-flooder.ts';
import { loopbackSourceAddress } from './loopback-address.ts';
import { cpuMs, residentMb, startServerProcess, type ServerProcess } from './server-process.ts';

/** What to run. */
export interface LoadOptions {
  url: string;
  clients: number;
  /** Questions per second per client. */
  rate: number;
  /** Seconds of each condition in all (without and, with --flood, with flooders). */
  durationS: number;
  flooders: number;
  /** Alternations of the two conditions (with --flood). */
  rounds: number;
  /** The server's pid, to read its memory; null when it cannot be read. */
  serverPid: number | null;
}

/** Figures of one condition. */
export interface PhaseFigures {
  asked: number;
  answered: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: Record<string, number>;
  rateLimited: number;
  unanswered: number;
  /** CPU the server used per second of this condition (ms/s, i.e. thousandths of a core), when it can be read. */
  serverCpuMsPerS: number | null;
}

/** What a run measured. */
export interface LoadReport {
  options: LoadOptions;
  connected: number;
  connectFailures: number;
  disconnects: number;
  steady: PhaseFigures;
  flood: (PhaseFigures & { flooders: FlooderReport }) | null;
  /** p95 of the other clients with the flooders present over p95 without them. */
  floodP95Ratio: number | null;
  serverRssMb: { before: number | null; after: number | null };
}

/** A question is counted unanswered if no reply came within this. */
const REPLY_TIMEOUT_MS = 10_000;
/** Measured clients per loopback address, under the default per-address connection limit. */
const CLIENTS_PER_ADDRESS = 20;
type Condition = 'steady' | 'flood';

/** Latencies and error codes of the replies to one condition's questions. */
interface Tally {
  asked: number;
  latencies: number[];
  errors: Record<string, number>;
  activeMs: number;
  /** Server CPU time used during the condition, in ms; null when it cannot be read. */
  serverCpuMs: number | null;
}

/** One measured client: asks at `rate` while a condition is active, tallying replies under the condition asked in. */
class LoadClient {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, { at: number; tally: Tally }>();
  #next = 0;
  closedEarly = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => this.#receive(data.toString()));
    ws.on('close', () => {
      this.closedEarly = true;
    });
  }

  static connect(url: string, localAddress: string | null): Promise<LoadClient> {
    const ws = new WebSocket(url, localAddress === null ? {} : { localAddress });
    return new Promise((resolve, reject) => {
      const client = new LoadClient(ws);
      ws.once('message', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
  }

  ask(question: string, tally: Tally): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    const id = `q${this.#next++}`;
    this.#pending.set(id, { at: performance.now(), tally });
    tally.asked += 1;
    this.#ws.send(JSON.stringify({ type: 'ask', id, question }));
  }

  #receive(raw: string): void {
    const frame = JSON.parse(raw) as ServerFrame;
    if ((frame.type !== 'answer' && frame.type !== 'error') || frame.id === null) return;
    const sent = this.#pending.get(frame.id);
    if (sent === undefined) return;
    this.#pending.delete(frame.id);
    if (frame.type === 'answer') sent.tally.latencies.push(performance.now() - sent.at);
    else sent.tally.errors[frame.code] = (sent.tally.errors[frame.code] ?? 0) + 1;
  }

  close(): void {
    this.#ws.removeAllListeners('close');
    this.#ws.close();
  }
}

/** Runs `flooders` worker threads for `ms`, each from its own loopback address; resolves with their sums. */
async function flood(url: string, flooders: number, ms: number): Promise<FlooderReport> {
  const workers = Array.from({ length: flooders }, (_, i) =>
    startWorkerThread(new URL('./load-flooder.ts', import.meta.url), { data: { url, localAddress: loopbackSourceAddress(url, 2, i) } }),
  );
  const reports = workers.map((worker) => new Promise<FlooderReport>((resolve, reject) => worker.once('message', resolve).once('error', reject)));
  await sleep(ms);
  for (const worker of workers) worker.postMessage('stop');
  const done = await Promise.all(reports);
  await Promise.all(workers.map((worker) => worker.terminate()));
  const sum: FlooderReport = { framesSent: 0, connectionsOpened: 0, refused: 0, closedWith1008: 0, closedOtherwise: 0 };
  for (const report of done) for (const key of Object.keys(sum) as Array<keyof FlooderReport>) sum[key] += report[key];
  return sum;
}

function figures(tally: Tally): PhaseFigures {
  const answered = tally.latencies.length;
  const errorCount = Object.values(tally.errors).reduce((a, b) => a + b, 0);
  return {
    asked: tally.asked,
    answered,
    perSecond: answered / (tally.activeMs / 1000),
    p50Ms: quantile(tally.latencies, 0.5),
    p95Ms: quantile(tally.latencies, 0.95),
    p99Ms: quantile(tally.latencies, 0.99),
    maxMs: quantile(tally.latencies, 1),
    errors: tally.errors,
    rateLimited: tally.errors.rate_limited ?? 0,
    unanswered: tally.asked - answered - errorCount,
    serverCpuMsPerS: tally.serverCpuMs === null ? null : tally.serverCpuMs / (tally.activeMs / 1000),
  };
}

/** Runs the load: connects the clients, runs the conditions, returns the figures. */
export async function runLoad(options: LoadOptions, questions: readonly string[]): Promise<LoadReport> {
  const rssBefore = options.serverPid === null ? null : await residentMb(options.serverPid);
  const connecting = Array.from({ length: options.clients }, (_, i) =>
    LoadClient.connect(options.url, loopbackSourceAddress(options.url, 1 + Math.floor(i / CLIENTS_PER_ADDRESS), i % CLIENTS_PER_ADDRESS)),
  );
  const settled = await Promise.allSettled(connecting);
  const clients = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const tallies: Record<Condition, Tally> = {
    steady: { asked: 0, latencies: [], errors: {}, activeMs: 0, serverCpuMs: 0 },
    flood: { asked: 0, latencies: [], errors: {}, activeMs: 0, serverCpuMs: 0 },
  };
  let current: Tally = tallies.steady;
  const intervalMs = 1000 / options.rate;
  // Each client asks on its own schedule, spread over the interval, so that the load is steady, not in waves.
  const timers = clients.map((client, i) =>
    setTimeout(() => {
      let n = i;
      const tick = () => client.ask(questions[n++ % questions.length]!, current);
      tick();
      timers[i] = setInterval(tick, intervalMs);
    }, Math.random() * intervalMs),
  );
  const conditions: Condition[] = options.flooders > 0 ? Array.from({ length: options.rounds }, () => ['steady', 'flood'] as const).flat() : ['steady'];
  const phaseMs = (options.durationS * 1000) / (options.flooders > 0 ? options.rounds : 1);
  let flooders: FlooderReport | null = null;
  for (const condition of conditions) {
    current = tallies[condition];
    const started = performance.now();
    const cpuBefore = options.serverPid === null ? null : await cpuMs(options.serverPid);
    if (condition === 'flood') {
      const report = await flood(options.url, options.flooders, phaseMs);
      flooders = flooders === null ? report : (Object.fromEntries(Object.entries(report).map(([k, v]) => [k, v + flooders![k as keyof FlooderReport]])) as unknown as FlooderReport);
    } else await sleep(phaseMs);
    current.activeMs += performance.now() - started;
    const cpuAfter = options.serverPid === null ? null : await cpuMs(options.serverPid);
    current.serverCpuMs = current.serverCpuMs === null || cpuBefore === null || cpuAfter === null ? null : current.serverCpuMs + cpuAfter - cpuBefore;
  }
  for (const timer of timers) clearTimeout(timer);
  // Answers to the last questions are still counted.
  await sleep(Math.min(REPLY_TIMEOUT_MS, 2_000));
  const disconnects = clients.filter((client) => client.closedEarly).length;
  for (const client of clients) client.close();
  const steady = figures(tallies.steady);
  const floodFigures = flooders === null ? null : { ...figures(tallies.flood), flooders };
  return {
    options,
    connected: clients.length,
    connectFailures: settled.length - clients.length,
    disconnects,
    steady,
    flood: floodFigures,
    floodP95Ratio: floodFigures === null ? null : floodFigures.p95Ms / steady.p95Ms,
    serverRssMb: { before: rssBefore, after: options.serverPid === null ? null : await residentMb(options.serverPid) },
  };
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(1)} ms`);

function formatPhase(label: string, f: PhaseFigures): string {
  const errors = Object.entries(f.errors).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  const cpu = f.serverCpuMsPerS === null ? '' : `; server CPU ${(f.serverCpuMsPerS / 10).toFixed(1)}% of a core`;
  return `${label}: ${f.answered}/${f.asked} answered (${f.perSecond.toFixed(1)}/s); p50 ${ms(f.p50Ms)}, p95 ${ms(f.p95Ms)}, p99 ${ms(f.p99Ms)}, max ${ms(f.maxMs)}; errors: ${errors}; rate_limited ${f.rateLimited}; unanswered ${f.unanswered}${cpu}`;
}

/** The report as text lines. */
export function formatLoadReport(report: LoadReport, mode: string): string {
  const { options } = report;
  const mb = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(0)} MB`);
  const lines = [
    `load: ${options.clients} clients × ${options.rate} question/s for ${options.durationS} s per condition, against ${options.url} (${mode})`,
    `connected ${report.connected}, failed to connect ${report.connectFailures}, disconnected early ${report.disconnects}`,
    formatPhase(report.flood === null ? 'all clients' : 'without flooder', report.steady),
  ];
  if (report.flood !== null) {
    const f = report.flood.flooders;
    lines.push(formatPhase(`with ${options.flooders} flooder${options.flooders === 1 ? '' : 's'}`, report.flood));
    lines.push(`flooders: ${f.framesSent} frames sent, ${f.connectionsOpened} connections opened, ${f.closedWith1008} closed with 1008, ${f.closedOtherwise} closed otherwise, ${f.refused} refused`);
    lines.push(`p95 of the other clients with / without flooder: ${report.floodP95Ratio?.toFixed(2)}×`);
  }
  lines.push(`server RSS: before ${mb(report.serverRssMb.before)}, after ${mb(report.serverRssMb.after)}`);
  return lines.join('\n');
}

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) throw new Error(`--${name}: expected a ${integer ? 'whole ' : ''}number ≥ 0, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      url: { type: 'string' },
      flood: { type: 'string' },
      rounds: { type: 'string' },
      pid: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const questionsFile = path.join(PROJECT_ROOT, 'tests', 'fixtures', 'questions-swing-2018.json');
  const questions = (JSON.parse(await readFile(questionsFile, 'utf8')) as Array<{ question: string }>).map((q) => q.question);
  // Without --url, a server of this checkout on a copy of the corpus (MODEL_DIR, if set, makes it hybrid).
  let server: ServerProcess | null = null;
  if (values.url === undefined) {
    const passOn = Object.fromEntries(['MODEL_DIR', 'MODEL_ID', 'RERANK_MODEL_DIR', 'RERANK_MODEL_ID', 'QUERY_EXPANSION'].flatMap((key) => (process.env[key] ? [[key, process.env[key]!]] : [])));
    server = await startServerProcess(passOn);
  }
  try {
    const url = values.url ?? `${server!.url.replace(/^http/, 'ws')}/ws`;
    const options: LoadOptions = {
      url,
      clients: positive('clients', values.clients, 200, true),
      rate: positive('rate', values.rate, 1, false),
      durationS: positive('duration', values.duration, 30, false),
      flooders: positive('flood', values.flood, 0, true),
      rounds: Math.max(1, positive('rounds', values.rounds, 2, true)),
      serverPid: values.pid !== undefined ? positive('pid', values.pid, 0, true) : (server?.child.pid ?? null),
    };
    if (options.rate === 0) throw new Error('--rate: must be above 0');
    const report = await runLoad(options, questions);
    process.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : `${formatLoadReport(report, server === null ? 'external server' : `${server.mode} mode`)}\n`);
    if (server !== null && (server.child.exitCode !== null || server.child.signalCode !== null)) {
      process.stderr.write(`load: the server exited during the run (${server.child.exitCode ?? server.child.signalCode}); the end of its log:\n${server.output().slice(-4_000)}\n`);
      process.exitCode = 1;
    }
  } finally {
    if (server !== null) {
      server.child.kill('SIGTERM');
      await server.exited;
      await server.dispose();
    }
  }
}

const runDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.join(PROJECT_ROOT, 'scripts', 'load.ts');
if (runDirectly) {
  main().catch((error: unknown) => {
    process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
