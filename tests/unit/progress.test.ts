// The terminal progress bar's last frame: how far it got and how long it took, not "0s left".

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../../server/cli/progress.ts';

/** A stream that says it is a terminal and keeps what is written to it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, rows: 40, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, written: () => text };
}

describe('the progress bar on a terminal', () => {
  it('ends on a frame with the count and the time taken, not the time left', () => {
    const terminal = fakeTerminal();
    const bar = createProgressDisplay('index: embedding paragraphs', { stream: terminal.stream });
    for (let done = 0; done <= 26; done += 1) bar.update(done, 26);
    bar.stop();
    const frames = terminal.written().split(/\r|\u001b\[\d*[A-Za-z]/).map((frame) => frame.trim()).filter((frame) => frame.startsWith('index:'));
    const last = frames[frames.length - 1] ?? '';
    expect(last).toMatch(/^index: embedding paragraphs \[.+\] 26\/26 in \d+s$/);
    expect(last).not.toContain('left');
  });
});
