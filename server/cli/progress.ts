// Progress display for the terminal: a bar when stderr is a terminal, sparse plain lines when it is a log.

import cliProgress from 'cli-progress';
import { describeProgress, type ModelLoadProgress } from '../adapters/transformers-embedder.ts';

/** A progress display for counted work. */
export interface ProgressDisplay {
  update(done: number, total: number): void;
  stop(): void;
}

/** A bar labelled `label` on a terminal; elsewhere a line at most every 10% and at the end. */
export function createProgressDisplay(label: string): ProgressDisplay {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((10 * done) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      process.stderr.write(`${label}: ${done}/${total}\n`);
    },
    stop: () => {},
  };
}

/** Shows model file downloads: one line per file on start and end, a bar for bytes while downloading. */
export function createModelDownloadDisplay(): (progress: ModelLoadProgress) => void {
  const bars = new Map<string, ProgressDisplay>();
  return (progress) => {
    if (progress.status === 'progress' && progress.total > 0) {
      let bar = bars.get(progress.file);
      if (bar === undefined) {
        bar = createProgressDisplay(`model: downloading ${progress.file} (kB)`);
        bars.set(progress.file, bar);
      }
      bar.update(Math.round(progress.loaded / 1000), Math.round(progress.total / 1000));
    } else if (progress.status === 'done') {
      bars.get(progress.file)?.stop();
      bars.delete(progress.file);
      process.stderr.write(`model: ${describeProgress(progress)}\n`);
    }
  };
}
