// The logging port: core and adapters log through this; the entry point decides where lines go.

/** Where log lines go. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything; the default in tests and libraries. */
export const SILENT_LOGGER: Logger = { info: () => {}, warn: () => {}, error: () => {} };
