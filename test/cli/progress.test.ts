// The progress line of long checks: a percentage rewritten in place on a terminal, nothing otherwise.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../packages/cli/src/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progressLine', () => {
  it('writes a percentage and clears it at the end on a TTY', () => {
    const { stream, written } = fakeStream(true);
    const p = progressLine('gradcheck lstm:', stream);
    p.update(1, 4);
    p.end();
    expect(written).toEqual(['\rgradcheck lstm: 25%\x1b[K', '\r\x1b[K']);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const p = progressLine('gradcheck lstm:', stream);
    p.update(1, 4);
    p.end();
    expect(written).toEqual([]);
  });
});
