// `npm start`: reads the configuration, loads the corpus from the index (reading only speeches that changed), serves
// the chat at once, loads the model and its vectors meanwhile, and shuts down gracefully on SIGTERM or SIGINT.

import { createConsoleLogger } from './adapters/console-logger.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './cli/progress.ts';
import { loadConfig, type Config } from './config.ts';
import { plural } from './core/counts.ts';
import { AppError, toAppError } from './core/errors.ts';
import { startServer } from './http/server.ts';
import { openConfiguredService } from './runtime.ts';
import { shutDownGracefully } from './shutdown.ts';

const log = createConsoleLogger({ prefix: 'idm-chat' });

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const indexProgress = createProgressDisplay('index: embedding paragraphs');
  const service = await openConfiguredService(config, {
    log,
    modelProgress: createModelDownloadDisplay,
    onIndexProgress: ({ done, total }) => {
      if (total > 0) indexProgress.update(done, total);
    },
    // Uploads are read in a worker; one kept ready spares the first upload the seconds of loading the PDF reader.
    warmExtraction: config.adminToken !== null,
  });
  // Served at once, with keywords while the model loads and the index catches up (which may take minutes for a
  // large corpus the first time); the chat moves to hybrid answers when they are ready.
  void service.modelSettled().then(() => indexProgress.stop());
  const server = await startServer({
    service,
    host: config.host,
    port: config.port,
    clientDir: config.clientDir,
    adminToken: config.adminToken,
    log,
    hostPolicy: config.hostPolicy,
    connections: config.connections,
    httpTimeouts: config.httpTimeouts,
    serveSourceMaps: config.serveSourceMaps,
  }).catch(async (error: unknown) => {
    await service.close();
    throw listenErrorOf(error, config);
  });
  const { mode, speeches, paragraphs } = service.status();
  log.info(`serving ${plural(speeches, 'speech', 'speeches')} (${plural(paragraphs, 'paragraph', 'paragraphs')}) at ${server.url} in mode: "${mode}"`);
  log.info(`adding, editing and removing speeches over HTTP: ${config.adminToken === null ? 'disabled (set ADMIN_TOKEN to enable)' : 'enabled (ADMIN_TOKEN is set)'}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while shutting down means "now".
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal} received`);
    void shutDownGracefully({ server, service, log }, { timeoutMs: config.shutdownTimeoutMs }).then((outcome) => process.exit(outcome === 'clean' ? 0 : 1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Why the server could not listen, naming the setting to change: a port in use is a user's matter, not `internal`. */
function listenErrorOf(error: unknown, config: Pick<Config, 'host' | 'port'>): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EADDRINUSE: `PORT: ${config.port} is already in use on ${config.host} (is the chat already running?); stop what uses it, or start on another port, e.g. PORT=${config.port + 1} npm start`,
    EACCES: `PORT: ${config.port} may not be used by this user (ports below 1024 need privileges); start on another port, e.g. PORT=3000 npm start`,
    EADDRNOTAVAIL: `HOST: ${config.host} is not an address of this machine; use one of its addresses, e.g. HOST=127.0.0.1 npm start`,
  };
  const reason = code === undefined ? undefined : reasons[code];
  return reason === undefined ? error : new AppError('config_invalid', reason, { cause: error });
}

main().catch((error: unknown) => {
  const appError = toAppError(error);
  log.error(`${appError.code}: ${appError.message}`);
  process.exit(1);
});
