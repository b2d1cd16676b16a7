// Runs a command-line entry point: its result is the exit code, and any error is printed in words. A mistake in
// the command line exits 2 with the usage; any other failure exits 1 with its code; nothing a user can get wrong
// (a missing file, a folder for a file) is reported as `internal`.

import { AppError, toAppError } from '../core/errors.ts';
import { fileErrorOf } from './input-file.ts';

/** How {@link runCli} reports a usage error. */
export interface RunCliOptions {
  /** The usage line (and where to read more), printed after a usage error. */
  usage?: string;
  /** The command as typed, e.g. `npm run add`, which starts a usage error's message. */
  command?: string;
}

/** Exit code of a command-line mistake (an unknown option, a missing argument). */
export const USAGE_EXIT_CODE = 2;

/** The error to report: a file-system failure on a path the user named is described, not `internal`. */
function reportable(error: unknown): AppError {
  return error instanceof AppError ? error : (fileErrorOf(error) ?? toAppError(error));
}

/** Runs `main`; a returned number becomes the exit code, a thrown error is printed (usage: exit 2, other: exit 1). */
export function runCli(main: () => Promise<number | void>, options: RunCliOptions = {}): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      const appError = reportable(error);
      if (appError.code === 'usage') {
        const usage = options.usage === undefined ? '' : `${options.usage}\n`;
        process.stderr.write(`${options.command === undefined ? 'usage error' : options.command}: ${appError.message}\n${usage}`);
        process.exit(USAGE_EXIT_CODE);
      }
      process.stderr.write(`${appError.code}: ${appError.message}\n`);
      process.exit(1);
    },
  );
}
