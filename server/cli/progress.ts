// Progress display for the terminal: a bar when stderr is a terminal, sparse plain lines when it is a log.

import cliProgress from 'cli-progress';
import { describeProgress, type ModelLoadProgress } from '../adapters/model-progress.ts';
import type { ModelSource } from '../config.ts';

/** A progress display for counted work. */
export interface ProgressDisplay {
  update(done: number, total: number): void;
  /** Writes `text` to `target` (stdout by default) without breaking the bar: on a terminal, the bar is drawn again below it. */
  print(text: string, target?: NodeJS.WritableStream): void;
  stop(): void;
}

/**
 * A bar labelled `label` on a terminal, whose last frame says how far it got and how long it took
 * (`index: embedding paragraphs [████] 26/26 in 2s`); elsewhere a line at most every 10% and at the end.
 */
export function createProgressDisplay(label: string, options: { stream?: NodeJS.WriteStream } = {}): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY) {
    const running = `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`;
    const finished = `${label} [{bar}] {value}/{total} in {duration_formatted}`;
    const bar = new cliProgress.SingleBar(
      {
        format: (options, params, payload: { finished?: boolean }) =>
          cliProgress.Format.Formatter({ ...options, format: payload.finished === true ? finished : running }, params, payload),
        stream,
        hideCursor: true,
        // A line printed over the bar (see print) needs it drawn again even when its text has not changed.
        forceRedraw: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let last = 0;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done, { finished: false });
          started = true;
        }
        last = done;
        bar.setTotal(total);
        bar.update(done);
      },
      print(text, target = process.stdout) {
        if (!started) {
          target.write(text);
          return;
        }
        stream.cursorTo(0);
        stream.clearLine(0);
        target.write(text);
        bar.render();
      },
      stop() {
        if (!started) return;
        // The last frame is drawn once more without the time left, which would read "0s left".
        bar.update(last, { finished: true });
        bar.stop();
        started = false;
      },
    };
  }
  let lastTenth = -1;
  return {
    update(done, total) {
      const tenth = total === 0 ? 10 : Math.floor((10 * done) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label}: ${done}/${total}\n`);
    },
    print: (text, target = process.stdout) => target.write(text),
    stop: () => {},
  };
}

/**
 * Shows the files of the model `source` as they are read: one line per file when done, a bar for bytes
 * meanwhile. A model in a local folder (`MODEL_DIR`) is "loading"; one from the Hub is "downloading".
 */
export function createModelDownloadDisplay(source: ModelSource): (progress: ModelLoadProgress) => void {
  const verb = source.kind === 'folder' ? 'loading' : 'downloading';
  const bars = new Map<string, ProgressDisplay>();
  return (progress) => {
    if (progress.status === 'progress' && progress.total > 0) {
      let bar = bars.get(progress.file);
      if (bar === undefined) {
        bar = createProgressDisplay(`model: ${verb} ${progress.file} (kB)`);
        bars.set(progress.file, bar);
      }
      // Whole kB, rounded up, so that a small file reads 1/1 rather than 0/0.
      bar.update(Math.ceil(progress.loaded / 1000), Math.ceil(progress.total / 1000));
    } else if (progress.status === 'done') {
      bars.get(progress.file)?.stop();
      bars.delete(progress.file);
      process.stderr.write(`model: ${describeProgress(progress)}\n`);
    }
  };
}
