// One step of the benchmark, bounded in time: its figures, or how it failed, or that it ran out of time. A step
// that fails or times out is a figure too (the "before" of a product that cannot yet do it).

/** The outcome of a step. */
export type StepResult<T> =
  | { status: 'ok'; seconds: number; figures: T }
  | { status: 'failed'; seconds: number; error: string }
  /** `stoppedWith`: what the work said as it was stopped (e.g. a command's last line: how far it had got). */
  | { status: 'timed_out'; seconds: number; stoppedWith?: string }
  | { status: 'skipped'; reason: string };

/** After a time-out, how long the step's work may take to stop its processes. */
const STOP_GRACE_MS = 20_000;
const TIMED_OUT = Symbol('timed out');

/**
 * Runs `work` with a signal that aborts after `limitMs`; logs the outcome on stderr under `label`.
 * The work must stop what it started when the signal aborts.
 */
export async function runStep<T>(label: string, limitMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<StepResult<T>> {
  const controller = new AbortController();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  process.stderr.write(`bench: ${label} …\n`);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), limitMs);
  });
  const running = work(controller.signal);
  let result: StepResult<T>;
  try {
    const outcome = await Promise.race([running, timedOut]);
    if (outcome === TIMED_OUT) {
      const timedOutAfter = seconds();
      controller.abort();
      const stoppedWith = await Promise.race([
        running.then(() => undefined, (error: unknown) => messageOf(error)),
        new Promise<undefined>((resolve) => setTimeout(resolve, STOP_GRACE_MS)),
      ]);
      result = { status: 'timed_out', seconds: timedOutAfter, ...(stoppedWith === undefined ? {} : { stoppedWith }) };
    } else {
      result = { status: 'ok', seconds: seconds(), figures: outcome };
    }
  } catch (error) {
    result = { status: 'failed', seconds: seconds(), error: messageOf(error) };
  } finally {
    clearTimeout(timer);
  }
  process.stderr.write(`bench: ${label}: ${describeStep(result)}\n`);
  return result;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A step that did not run, and why. */
export function skippedStep(reason: string): StepResult<never> {
  return { status: 'skipped', reason };
}

/** How a step ended, in words: `ok in 3.2 s`, `failed after 12.0 s: …`, `timed out after 600 s`. */
export function describeStep(result: StepResult<unknown>): string {
  switch (result.status) {
    case 'ok':
      return `ok in ${result.seconds.toFixed(1)} s`;
    case 'failed':
      return `failed after ${result.seconds.toFixed(1)} s: ${result.error}`;
    case 'timed_out':
      return `timed out after ${result.seconds.toFixed(0)} s${result.stoppedWith === undefined ? '' : ` (stopped: ${result.stoppedWith})`}`;
    case 'skipped':
      return `skipped: ${result.reason}`;
  }
}
