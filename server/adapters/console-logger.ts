// A Logger that writes timestamped lines to stderr, so stdout stays clean for command output.

import type { Logger } from '../core/logger.ts';

/** Writes `[time] level message` lines to stderr. */
export function createConsoleLogger(options: { prefix: string }): Logger {
  const line = (level: string, message: string) => {
    process.stderr.write(`${new Date().toISOString()} ${options.prefix} ${level} ${message}\n`);
  };
  return {
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    error: (message) => line('error', message),
  };
}
