// Answers the questions of all chat connections fairly: each connection has a bounded queue and one question
// answered at a time, and connections take turns (round robin), so no client can fill the work of the server.

/** Options of {@link createQuestionScheduler}. */
export interface QuestionSchedulerOptions {
  /** Questions answered at once, over all connections. */
  concurrency: number;
  /** Questions one connection may have waiting or being answered; more are refused. */
  maxQueuedPerClient: number;
}

/** A fair scheduler of question tasks, keyed by the connection that asked. */
export interface QuestionScheduler {
  /**
   * Queues `task` behind the other questions of `client`; false (and nothing queued) when `client` already has
   * `maxQueuedPerClient`. A task must not throw: it answers or reports its own failure.
   */
  enqueue(client: object, task: () => Promise<void>): boolean;
  /** Drops the waiting questions of `client` (its connection closed); one being answered finishes. */
  forget(client: object): void;
  /** Resolves once no question waits or is being answered. */
  idle(): Promise<void>;
}

interface ClientQueue {
  waiting: Array<() => Promise<void>>;
  running: boolean;
}

/** Creates a scheduler: round robin over connections with waiting questions, `concurrency` at a time. */
export function createQuestionScheduler(options: QuestionSchedulerOptions): QuestionScheduler {
  const queues = new Map<object, ClientQueue>();
  /** Connections with a waiting question and none being answered, in turn order. */
  const turns: object[] = [];
  let running = 0;
  let idleWaiters: Array<() => void> = [];

  const isIdle = () => running === 0 && turns.length === 0;
  const wakeIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  let pumpScheduled = false;
  /**
   * Starts the next question after pending I/O has run, one question per turn of the event loop: keyword answering
   * is synchronous, and starting several at once, or starting one from a frame's callback, would keep the event loop
   * from health checks, new frames and other requests for as long as they take.
   */
  const schedulePump = () => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      startNext();
    });
  };

  const startNext = () => {
    while (running < options.concurrency && turns.length > 0) {
      const client = turns.shift()!;
      const queue = queues.get(client);
      const task = queue?.waiting.shift();
      if (queue === undefined || task === undefined) continue;
      queue.running = true;
      running += 1;
      void task()
        .catch(() => {})
        .finally(() => {
          running -= 1;
          queue.running = false;
          // Behind everyone already waiting: the turn passes to the next connection.
          if (queue.waiting.length > 0) turns.push(client);
          else if (queues.get(client) === queue) queues.delete(client);
          schedulePump();
          wakeIdle();
        });
      break;
    }
    if (running < options.concurrency && turns.length > 0) schedulePump();
  };

  return {
    enqueue(client, task) {
      let queue = queues.get(client);
      if (queue === undefined) {
        queue = { waiting: [], running: false };
        queues.set(client, queue);
      }
      if (queue.waiting.length + (queue.running ? 1 : 0) >= options.maxQueuedPerClient) return false;
      queue.waiting.push(task);
      if (!queue.running && queue.waiting.length === 1) turns.push(client);
      schedulePump();
      return true;
    },
    forget(client) {
      const queue = queues.get(client);
      if (queue === undefined) return;
      queue.waiting.length = 0;
      const turn = turns.indexOf(client);
      if (turn !== -1) turns.splice(turn, 1);
      if (!queue.running) queues.delete(client);
      wakeIdle();
    },
    idle: () => (isIdle() ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
