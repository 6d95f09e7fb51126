// Errors that keep their place (issue 12): a step's mistake names the cell, layer, step and the
// user's file:line; a missing parameter or state lists the names that exist; a misspelt Tensor method
// gets the nearest name; a NaN in gradcheck names the first non-finite node; a batch of the wrong
// size names both batch sizes. The fixtures are also run through the CLI in test/cli/step-errors.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatGradcheck, gradcheck } from '@cellgrad/autodiff';
import { CellgradError, linear } from '@cellgrad/graph';
import {
  addingTask,
  cellFeeds,
  checkBatch,
  defineCell,
  evaluate,
  getBuiltinCell,
  gradientFlow,
  gruCell,
  initModel,
  modelOf,
  Trainer,
  unroll,
  type Batch,
  type Task,
} from '@cellgrad/cells';
import { mycell } from './fixtures/step-bugs/missing-param.js';
import { mystate } from './fixtures/step-bugs/missing-state.js';
import { typo } from './fixtures/step-bugs/method-typo.js';
import { lognan } from './fixtures/step-bugs/nan-log.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/step-bugs');

/** The 1-based line of `file` (in the fixtures folder) that holds `text`. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(path.join(fixtures, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${file} has no line with ${text}`);
  return i + 1;
}

function thrown(fn: () => unknown): CellgradError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CellgradError);
    return e as CellgradError;
  }
  throw new Error('expected an error');
}

const sizes = { input: 2, hidden: 2, batch: 1, steps: 3 };
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe("a step that fails says where, in the user's file", () => {
  it("a missing parameter is named with the cell's parameters, the step and the line that read it", () => {
    const e = thrown(() => unroll(mycell, sizes));
    expect(e.kind).toBe('cell');
    const at = `${path.join(fixtures, 'missing-param.ts')}:${lineOf('missing-param.ts', 'BUG')}:`;
    expect(e.message).toMatch(
      new RegExp(
        `^in cell 'mycell', layer 0, step 0 \\(at ${escapeRegExp(at)}\\d+\\): parameter 'Wx' does not exist; the cell's parameters are W, U, b \\(declared by params\\(\\)\\)`,
      ),
    );
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it("a missing state is named with the step's inputs and states", () => {
    const e = thrown(() => unroll(mystate, sizes));
    expect(e.message).toContain(`missing-state.ts:${lineOf('missing-state.ts', 'BUG')}:`);
    expect(e.message).toContain("input or state 'hidden' does not exist; the step's inputs and states are x, h");
  });

  it('a misspelt Tensor method gets the nearest method name, and the line', () => {
    const e = thrown(() => unroll(typo, sizes));
    expect(e.message).toContain(`method-typo.ts:${lineOf('method-typo.ts', 'BUG')}:`);
    expect(e.message).toMatch(/step threw: z\.sigmod is not a function: 'sigmod' is not a Tensor method; did you mean 'sigmoid'\?$/);
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it('a Tensor method called on something else says the value is not a Tensor', () => {
    const notTensor = defineCell({
      name: 'num',
      params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: ({ x, h }, { W }) => ({ h: (linear(x, W).shape[0] as unknown as typeof h).mul(h) }),
    });
    expect(thrown(() => unroll(notTensor, sizes)).message).toMatch(/'mul' is a Tensor method, so the value it was called on is not a Tensor$/);
  });

  it('reading an optional parameter that is absent is still allowed (built-in GRU without biases, a user probe)', () => {
    const probe = defineCell({
      name: 'probe',
      params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      // @ts-expect-error reading a parameter the cell did not declare, on purpose
      step: ({ x, h }, p) => ({ h: linear(x, p.W!, p.bias).add(h).tanh() }),
    });
    expect(() => unroll(probe, sizes)).not.toThrow();
    expect(() => unroll(gruCell({ name: 'gru_nb', bias: 'none' }), sizes)).not.toThrow();
  });

  it('an error in a built-in cell or made outside the step names no user line', () => {
    const boom = new Error('boom');
    const thrower = defineCell({
      name: 'thrower',
      params: () => ({}),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: () => {
        throw boom;
      },
    });
    expect(thrown(() => unroll(thrower, sizes)).message).toBe("cell 'thrower', step 0: step threw: boom");
  });
});

describe('gradcheck with a non-finite derivative names the first non-finite node', () => {
  it('forward NaN: the log node, its cell and step, in the report and in formatGradcheck', () => {
    const options = { ...sizes, dtype: 'float64' as const };
    const report = gradcheck(unroll(lognan, options), cellFeeds(lognan, options, 0), { timeAxes: { x: 0, out: 0 } });
    expect(report.passed).toBe(false);
    const found = report.orders[0]!.nonFinite!;
    expect(found.during).toBe('forward');
    expect(found.report.op).toBe('log');
    expect(found.report.scope).toMatchObject({ cell: 'lognan', step: 1 });
    expect(report.orders[0]!.inputs[0]!.maxRelError).toBe(Infinity);
    const text = formatGradcheck(report);
    expect(text).toMatch(
      /order 1: a derivative is not finite; first non-finite value in the forward pass: non-finite value: node %\d+ \(log\) produced NaN .* in cell 'lognan', layer 0, step 1/,
    );
    expect(text).not.toMatch(/ 0 +\[0,0,0\]/);
  });

  it('backward-only Inf: sqrt at 0 is finite forward, its derivative is not', () => {
    const kink = defineCell({
      name: 'kink',
      params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: ({ x, h }, { W }) => ({ h: linear(x, W).add(h.mul(0).sqrt()).tanh() }),
    });
    const options = { ...sizes, dtype: 'float64' as const };
    const report = gradcheck(unroll(kink, options), cellFeeds(kink, options, 0));
    const found = report.orders[0]!.nonFinite!;
    expect(found.during).toBe('backward');
    expect(found.report.scope).toMatchObject({ cell: 'kink', phase: 'backward' });
    expect(formatGradcheck(report)).toMatch(/first non-finite value in the backward \(VJP\) pass: .*backward pass/);
  });
});

describe('a batch of the wrong size names both batch sizes and the option', () => {
  const task = addingTask(6);
  const spec = { cell: getBuiltinCell('rnn_tanh'), input: task.input, hidden: 3, batch: 4, steps: task.steps, loss: task.loss, dtype: 'float64' as const };
  const smaller = (B: number): Batch => ({ x: new Float64Array(6 * B * 2), y: new Float64Array(B), mask: new Float64Array(B).fill(1) });

  it('gradientFlow', () => {
    const e = thrown(() => gradientFlow(spec, initModel(spec, 0), smaller(2), { exec: { executor: 'interpreted', dtype: 'float64' } }));
    expect(e.kind).toBe('usage');
    expect(e.message).toBe(
      "gradientFlow: x has batch 2 but the model was built for batch 4 (ModelSpec 'batch'; x is [T, B, I] = [6, 4, 2], 48 values, got 24)",
    );
    const x = new Float64Array(47);
    expect(thrown(() => gradientFlow(spec, initModel(spec, 0), { ...smaller(4), x })).message).toMatch(
      /^gradientFlow: 'x' holds 47 values, which is not a whole batch/,
    );
  });

  it('gradientFlow with parameters of another model', () => {
    const params = initModel(spec, 0);
    delete params.weight_hh;
    expect(thrown(() => gradientFlow(spec, params, smaller(4))).message).toMatch(/^gradientFlow: no values for parameter 'weight_hh' \[3,3\]/);
  });

  it('a task whose batches do not fit: Trainer.step and evaluate name the task', () => {
    const bad: Task = { ...task, name: 'short', generate: (rng, B) => task.generate(rng, B - 1) };
    const trainer = new Trainer({ cell: getBuiltinCell('rnn_tanh'), task: bad, hidden: 3, batch: 4, seed: 0, optimizer: { kind: 'sgd' }, lr: 0.1 });
    expect(thrown(() => trainer.step()).message).toMatch(/^Trainer\.step: task 'short' generate\(rng, 4\): x has batch 3 but the model was built for batch 4/);
    const model = modelOf({ cell: getBuiltinCell('rnn_tanh'), task: bad, hidden: 3, batch: 4, seed: 0, optimizer: { kind: 'sgd' }, lr: 0.1 });
    expect(thrown(() => evaluate(model, initModel(model, 0), bad, 0, 1)).message).toMatch(/^evaluate: task 'short' generate\(rng, 4\): x has batch 3/);
    expect(() => checkBatch(model, smaller(4))).not.toThrow();
  });
});
