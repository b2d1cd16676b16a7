// Watches the corpus folder for changes made by other processes (the command line, a hand edit) and reports
// them once things are quiet, ignoring the lock, journal and temporary files that writers use.

import { watch, type FSWatcher } from 'node:fs';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { isWriterFile } from './corpus-writer.ts';

/** A running watch; `close` stops it. */
export interface CorpusWatch {
  close(): void;
}

/**
 * Calls `onChange` once no speech file in `dir` has changed for `debounceMs`. Does not keep the process alive.
 * A folder that cannot be watched is logged and otherwise ignored.
 */
export function watchCorpus(dir: string, options: { debounceMs: number; onChange: () => void; log?: Logger }): CorpusWatch {
  const log = options.log ?? SILENT_LOGGER;
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      // Writers' own files change on every lock; reacting to them would reload forever.
      if (name !== null && isWriterFile(String(name))) return;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        options.onChange();
      }, options.debounceMs);
      timer.unref();
    });
    watcher.on('error', (error) => log.warn(`corpus: watching ${dir} stopped: ${error.message}`));
  } catch (error) {
    log.warn(`corpus: cannot watch ${dir} for changes (${(error as Error).message}); restart to see speeches added elsewhere`);
  }
  return {
    close() {
      if (timer !== null) clearTimeout(timer);
      watcher?.close();
    },
  };
}
