// `npm start`: reads the configuration, builds or refreshes the index, and serves the chat.

import { createConsoleLogger } from './adapters/console-logger.ts';
import { preloadPdfReader } from './adapters/pdf-text.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './cli/progress.ts';
import { loadConfig, type Config } from './config.ts';
import { plural } from './core/counts.ts';
import { AppError, toAppError } from './core/errors.ts';
import { startServer } from './http/server.ts';
import { openConfiguredService } from './runtime.ts';

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
  });
  // The first model attempt includes building a missing or stale index; serve once it has ended either way.
  await service.modelSettled();
  indexProgress.stop();
  const server = await startServer({ service, host: config.host, port: config.port, clientDir: config.clientDir, adminToken: config.adminToken, log }).catch(
    (error: unknown) => {
      service.close();
      throw listenErrorOf(error, config);
    },
  );
  const { mode, speeches, paragraphs } = service.status();
  log.info(`serving ${plural(speeches, 'speech', 'speeches')} (${plural(paragraphs, 'paragraph', 'paragraphs')}) at ${server.url} in mode: "${mode}"`);
  log.info(`adding, editing and removing speeches over HTTP: ${config.adminToken === null ? 'disabled (set ADMIN_TOKEN to enable)' : 'enabled (ADMIN_TOKEN is set)'}`);
  // Loading the PDF reader takes seconds; spent now rather than on the first upload.
  if (config.adminToken !== null) void preloadPdfReader().catch((error: unknown) => log.warn(`PDF reader not preloaded: ${toAppError(error).message}`));

  const stop = async () => {
    service.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
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
