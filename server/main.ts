// `npm start`: reads the configuration, builds or refreshes the index, and serves the chat.

import { createConsoleLogger } from './adapters/console-logger.ts';
import { preloadPdfReader } from './adapters/pdf-text.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './cli/progress.ts';
import { loadConfig } from './config.ts';
import { toAppError } from './core/errors.ts';
import { startServer } from './http/server.ts';
import { openConfiguredService } from './runtime.ts';

const log = createConsoleLogger({ prefix: 'idm-chat' });

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const indexProgress = createProgressDisplay('index: embedding paragraphs');
  const service = await openConfiguredService(config, {
    log,
    onModelProgress: createModelDownloadDisplay(),
    onIndexProgress: ({ done, total }) => {
      if (total > 0) indexProgress.update(done, total);
    },
  });
  // The first model attempt includes building a missing or stale index; serve once it has ended either way.
  await service.modelSettled();
  indexProgress.stop();
  const server = await startServer({ service, host: config.host, port: config.port, clientDir: config.clientDir, adminToken: config.adminToken, log });
  const { mode, speeches, paragraphs } = service.status();
  log.info(`serving ${speeches} speeches (${paragraphs} paragraphs) at ${server.url} in mode: "${mode}"`);
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

main().catch((error: unknown) => {
  const appError = toAppError(error);
  log.error(`${appError.code}: ${appError.message}`);
  process.exit(1);
});
