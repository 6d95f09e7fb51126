// The vitest matcher of @cellgrad/testing: a built-in cell passes; a cell whose hand-written VJP is
// wrong fails with exactly the gradcheck table `cellgrad gradcheck` prints; `.not` inverts; graphs
// and { graph, feeds } are checked too; a bad subject or option is a usage error naming it.
import { describe, expect, it } from 'vitest';
import '@cellgrad/testing';
import { checkGradients, gradcheckSubject } from '@cellgrad/testing';
import { formatGradcheck, gradcheck } from '@cellgrad/autodiff';
import { buildGraph, isCellgradError } from '@cellgrad/graph';
import { builtinCells, cellFeeds, unroll } from '@cellgrad/cells';
import { softsignWrong, wrongCell } from './wrong-vjp.js';

/** The message of the error `fn` throws. */
function thrownMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

/** A table without its timing (the last line ends with "N evaluations in X s"). */
const untimed = (text: string): string => text.replace(/ in \d+\.\d+ s$/m, ' in <t> s');

/** A graph loss = sum(softsign_wrong(a) · b) and feeds for it. */
const wrongGraph = buildGraph(
  (b) => {
    const a = b.input('a', [3]);
    const w = b.input('w', [3]);
    return { loss: softsignWrong(a).mul(w).sum() };
  },
  { dtype: 'float64' },
);
const wrongFeeds = { a: [0.3, -0.7, 1.2], w: [1, 2, -1] };

describe('toPassGradcheck on cells', () => {
  it('passes for a built-in cell at the default sizes and at given ones', () => {
    expect(builtinCells.gru).toPassGradcheck();
    expect(builtinCells.lstm).toPassGradcheck({ input: 2, hidden: 3, steps: 2, layers: 2, bidirectional: true, mode: 'fast', seed: 3 });
  });

  it('fails for a wrong VJP, with the same gradcheck table as cellgrad gradcheck prints', () => {
    const message = thrownMessage(() => expect(wrongCell).toPassGradcheck({ steps: 3 }));
    const sizes = { input: 3, hidden: 4, batch: 2, steps: 3, layers: 1, dtype: 'float64' as const };
    const expected = formatGradcheck(gradcheck(unroll(wrongCell, sizes), cellFeeds(wrongCell, sizes, 0), { timeAxes: { x: 0, out: 0 } }));
    expect(message.split('\n')[0]).toBe(
      "expected cell 'elman_softsign_wrong' (input 3, hidden 4, batch 2, steps 3, layers 1; float64, seed 0) to pass gradcheck:",
    );
    expect(untimed(message)).toContain(untimed(expected));
    expect(message).toMatch(/max abs err\s+max rel err\s+worst element\s+result/);
    expect(message).toMatch(/^1\s+W\s+\[4,3\].*FAIL$/m);
    expect(message).toMatch(/FAILED: full mode/);
  });

  it('.not inverts: a wrong VJP does not pass; a right one fails the negation with the table', () => {
    expect(wrongCell).not.toPassGradcheck({ steps: 2, mode: 'fast' });
    const message = thrownMessage(() => expect(builtinCells.rnn_tanh).not.toPassGradcheck({ steps: 2 }));
    expect(message).toMatch(/^expected cell 'rnn_tanh' .* not to pass gradcheck, but it did:\n/);
    expect(message).toMatch(/PASSED: full mode/);
  });

  it('uses the tolerances it is given', () => {
    // The relative error of the wrong VJP is below 1 everywhere: a (silly) rtol of 1 lets it through.
    expect(wrongCell).toPassGradcheck({ steps: 2, atol: 1, rtol: 1 });
    expect(() => expect(builtinCells.lstm).toPassGradcheck({ steps: 2, eps: 1e-1, atol: 0, rtol: 1e-12 })).toThrow(/eps 0\.1, atol 0, rtol 1e-12/);
  });
});

describe('toPassGradcheck on graphs', () => {
  it('checks a graph with feeds in the options, as { graph, feeds }, or with seeded feeds', () => {
    expect(() => expect(wrongGraph).toPassGradcheck({ feeds: wrongFeeds })).toThrow(
      /^expected graph \(inputs a, w; outputs loss\) to pass gradcheck:\n.*\n.*\n1\s+a\s+\[3\]/,
    );
    expect({ graph: wrongGraph, feeds: wrongFeeds }).not.toPassGradcheck();
    expect(() => expect(wrongGraph).toPassGradcheck({ seed: 4 })).toThrow(/random feeds, seed 4/);
    expect(unroll(builtinCells.gru!, { input: 2, hidden: 2, batch: 1, steps: 2, dtype: 'float64' })).toPassGradcheck({ wrt: ['weight_ih'], outputs: ['h_T'] });
  });

  it('checkGradients gives the report and the table without vitest', () => {
    const check = checkGradients(wrongGraph, { feeds: wrongFeeds });
    expect(check.pass).toBe(false);
    expect(check.report.orders[0]!.inputs.map((r) => r.passed)).toEqual([false, true]);
    expect(check.table).toBe(formatGradcheck(check.report));
  });
});

describe('bad subjects and options', () => {
  const usage = (fn: () => void, pattern: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(isCellgradError(e, 'usage'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(pattern);
      return;
    }
    throw new Error('expected a usage error');
  };

  it('names what is wrong', () => {
    usage(() => expect(42).toPassGradcheck(), /expected a cell \(defineCell or a built-in cell\), a Graph or \{ graph, feeds \}, got number/);
    usage(() => gradcheckSubject(null), /got null/);
    // @ts-expect-error: a misspelt option is a type error too
    usage(() => expect(builtinCells.lstm).toPassGradcheck({ stepz: 2 }), /unknown option 'stepz'/);
    usage(() => expect(wrongGraph).toPassGradcheck({ steps: 2, feeds: wrongFeeds }), /option\(s\) 'steps' apply to a cell, not to a graph/);
    usage(() => expect({ graph: wrongGraph, feeds: wrongFeeds }).toPassGradcheck({ feeds: wrongFeeds }), /feeds given twice/);
    usage(() => expect(builtinCells.lstm).toPassGradcheck({ mode: 'slow' as 'fast' }), /mode must be 'full' or 'fast'/);
  });

  it('passes errors of the cell through (a bad size names the option)', () => {
    expect(() => expect(builtinCells.lstm).toPassGradcheck({ hidden: 0 })).toThrow(/hidden/);
  });
});
