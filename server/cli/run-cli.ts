// Runs a command-line entry point: its result is the exit code, and any error is printed with its code.

import { toAppError } from '../core/errors.ts';

/** Runs `main`; a returned number becomes the exit code, a thrown error is printed as `code: message` with exit 1. */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      const appError = toAppError(error);
      process.stderr.write(`${appError.code}: ${appError.message}\n`);
      process.exit(1);
    },
  );
}
