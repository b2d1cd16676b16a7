// Starts the HTTP server with the app and the chat socket on one port, and stops both.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import type { QaService } from '../qa-service.ts';
import { createApp } from './app.ts';
import { attachChatSocket, type ChatSocketLimits } from './chat-socket.ts';

/** Options for {@link startServer}. */
export interface ServerOptions {
  service: QaService;
  host: string;
  /** 0 picks a free port. */
  port: number;
  clientDir: string;
  /** The token write routes require; null (the default) disables them. */
  adminToken?: string | null;
  log?: Logger;
  socketLimits?: Partial<ChatSocketLimits>;
}

/** A listening server. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `host:port` with the chat page, the API and the socket. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? SILENT_LOGGER;
  const server = createServer(createApp({ service: options.service, clientDir: options.clientDir, adminToken: options.adminToken ?? null, log }));
  const socket = attachChatSocket(server, { service: options.service, log, limits: options.socketLimits });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        socket.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
