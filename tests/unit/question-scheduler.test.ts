// Unit tests of the fair question scheduler: round robin over connections, one question per connection at a time,
// a bounded queue per connection, forgetting a closed connection, idle(), and yielding to the event loop.

import { describe, expect, it } from 'vitest';
import { createQuestionScheduler } from '../../server/http/question-scheduler.ts';

/** A task that records its start and finishes when released. */
function gate(log: string[], label: string): { task: () => Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    task: async () => {
      log.push(label);
      await finished;
    },
    release: () => release(),
  };
}

/** Lets the scheduler start what it can: it starts one question per turn of the event loop. */
const tick = async () => {
  for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('createQuestionScheduler', () => {
  it('takes connections in turn, so a connection with many questions cannot starve the others', async () => {
    const scheduler = createQuestionScheduler({ concurrency: 1, maxQueuedPerClient: 20 });
    const flooder = {};
    const calm = {};
    const order: string[] = [];
    const quick = (label: string) => async () => {
      order.push(label);
    };
    for (let i = 0; i < 10; i += 1) scheduler.enqueue(flooder, quick(`f${i}`));
    scheduler.enqueue(calm, quick('c0'));
    scheduler.enqueue(calm, quick('c1'));
    await scheduler.idle();
    // The calm connection's first question comes right after the flooder's first, not after all ten.
    expect(order.slice(0, 5)).toEqual(['f0', 'c0', 'f1', 'c1', 'f2']);
    expect(order).toHaveLength(12);
  });

  it('answers one question per connection at a time, in the order asked, up to the concurrency overall', async () => {
    const scheduler = createQuestionScheduler({ concurrency: 2, maxQueuedPerClient: 20 });
    const log: string[] = [];
    const a = [gate(log, 'a0'), gate(log, 'a1')];
    const b = [gate(log, 'b0')];
    const c = [gate(log, 'c0')];
    const clients = [{}, {}, {}];
    a.forEach((g) => scheduler.enqueue(clients[0]!, g.task));
    b.forEach((g) => scheduler.enqueue(clients[1]!, g.task));
    c.forEach((g) => scheduler.enqueue(clients[2]!, g.task));
    await tick();
    expect(log).toEqual(['a0', 'b0']);
    a[0]!.release();
    await tick();
    // a's second question waits behind c, which has not had a turn yet.
    expect(log).toEqual(['a0', 'b0', 'c0']);
    b[0]!.release();
    await tick();
    expect(log).toEqual(['a0', 'b0', 'c0', 'a1']);
    c[0]!.release();
    a[1]!.release();
    await scheduler.idle();
  });

  it('refuses a question beyond the per-connection bound, counting the one being answered', async () => {
    const scheduler = createQuestionScheduler({ concurrency: 1, maxQueuedPerClient: 3 });
    const client = {};
    const log: string[] = [];
    const gates = [gate(log, 'q0'), gate(log, 'q1'), gate(log, 'q2'), gate(log, 'q3')];
    expect(gates.map((g) => scheduler.enqueue(client, g.task))).toEqual([true, true, true, false]);
    // Another connection is not affected by that bound.
    expect(scheduler.enqueue({}, async () => {})).toBe(true);
    gates[0]!.release();
    await tick();
    expect(scheduler.enqueue(client, async () => {})).toBe(true);
    for (const g of gates) g.release();
    await scheduler.idle();
  });

  it('drops the waiting questions of a forgotten connection; the one running finishes; idle() then resolves', async () => {
    const scheduler = createQuestionScheduler({ concurrency: 1, maxQueuedPerClient: 10 });
    const client = {};
    const log: string[] = [];
    const first = gate(log, 'q0');
    scheduler.enqueue(client, first.task);
    for (let i = 1; i < 5; i += 1) scheduler.enqueue(client, async () => void log.push(`q${i}`));
    await tick();
    scheduler.forget(client);
    let idle = false;
    void scheduler.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    first.release();
    await scheduler.idle();
    expect(log).toEqual(['q0']);
  });

  it('keeps going when a task fails', async () => {
    const scheduler = createQuestionScheduler({ concurrency: 1, maxQueuedPerClient: 10 });
    const client = {};
    const log: string[] = [];
    scheduler.enqueue(client, () => Promise.reject(new Error('boom')));
    scheduler.enqueue(client, async () => void log.push('after'));
    await scheduler.idle();
    expect(log).toEqual(['after']);
  });

  it('lets other work of the event loop run between two synchronous questions (health checks are not starved)', async () => {
    const scheduler = createQuestionScheduler({ concurrency: 4, maxQueuedPerClient: 10 });
    const log: string[] = [];
    const busy = (label: string) => async () => {
      const until = Date.now() + 5;
      while (Date.now() < until);
      log.push(label);
    };
    for (let i = 0; i < 8; i += 1) scheduler.enqueue({}, busy(`q${i}`));
    // Nothing runs inside enqueue: a frame's callback returns at once.
    expect(log).toEqual([]);
    // An I/O callback standing in for a health check, queued after all eight questions.
    const probe = new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('health'))));
    await probe;
    await scheduler.idle();
    expect(log.indexOf('health')).toBeLessThanOrEqual(2);
    expect(log.filter((entry) => entry !== 'health')).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7']);
  });
});
