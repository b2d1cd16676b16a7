// Starts the real service and server on a temporary corpus at 127.0.0.1 on a free port, for integration tests.

import path from 'node:path';
import WebSocket from 'ws';
import { PROJECT_ROOT } from '../../server/config.ts';
import type { ServerFrame } from '../../server/core/protocol.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server/http/server.ts';
import { openQaService, type QaService, type QaServiceOptions } from '../../server/qa-service.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

/** A running server over its own workspace. */
export interface TestServer {
  workspace: Workspace;
  service: QaService;
  server: RunningServer;
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * Opens the service (lexical unless a loader is given) and serves it, on a workspace of its own or on `workspace`
 * (shared with another server, as replicas share a corpus folder; then left in place on stop).
 */
export async function startTestServer(
  options: Partial<Pick<QaServiceOptions, 'loadEmbedder' | 'settings' | 'watch' | 'extraction' | 'warmExtraction' | 'webFetch'>> &
    Pick<Partial<ServerOptions>, 'socketLimits' | 'adminToken' | 'connections' | 'hostPolicy' | 'httpTimeouts' | 'serveSourceMaps' | 'log'> & { workspace?: Workspace } = {},
): Promise<TestServer> {
  const { workspace: shared, socketLimits, adminToken, connections, hostPolicy, httpTimeouts, serveSourceMaps, log, ...serviceOptions } = options;
  const workspace = shared ?? (await createWorkspace());
  const service = await openQaService({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, ...serviceOptions });
  const server = await startServer({
    service,
    host: '127.0.0.1',
    port: 0,
    clientDir: path.join(PROJECT_ROOT, 'client', 'dist'),
    socketLimits,
    adminToken,
    connections,
    hostPolicy,
    httpTimeouts,
    serveSourceMaps,
    log,
  });
  return {
    workspace,
    service,
    server,
    wsUrl: `${server.url.replace('http', 'ws')}/ws`,
    async stop() {
      await service.close();
      await server.close();
      if (shared === undefined) await workspace.remove();
    },
  };
}

/** A test client: a real WebSocket with a queue of the frames received. */
export class TestClient {
  readonly socket: WebSocket;
  readonly #frames: ServerFrame[] = [];
  readonly #waiters: Array<() => void> = [];

  #closeCode: number | null = null;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('close', (code) => {
      this.#closeCode = code;
    });
    socket.on('message', (data) => {
      this.#frames.push(JSON.parse(data.toString()) as ServerFrame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /**
   * Connects and resolves once open. `localAddress` connects from another loopback address (127.0.0.2…), as another
   * client machine would; `headers` adds request headers (an `Origin`).
   */
  static async connect(url: string, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** The next frame matching `predicate`, removed from the queue; fails after `timeoutMs`. */
  async next(predicate: (frame: ServerFrame) => boolean = () => true, timeoutMs = 5_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#frames.findIndex(predicate);
      if (index >= 0) return this.#frames.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; have ${JSON.stringify(this.#frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The reply (answer or error) to the request `id`. */
  reply(id: string, timeoutMs?: number): Promise<ServerFrame> {
    return this.next((frame) => (frame.type === 'answer' || frame.type === 'error') && frame.id === id, timeoutMs);
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close(): void {
    this.socket.close();
  }

  /** Resolves with the close code once the server has closed the connection. */
  closed(timeoutMs = 5_000): Promise<number> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve(this.#closeCode ?? 1006);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }
}
