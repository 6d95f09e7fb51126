/**
 * A whole training step as one ONNX model: LSTM unrolled, loss mean(out²), BPTT to every weight,
 * global-norm gradient clipping (PyTorch's clip_grad_norm_ rule) and an SGD update, all graph ops.
 * ONNX Runtime gives the interpreter's new weights and loss (float32), and running the exported
 * step twice, feeding the new weights back, lowers the loss.
 */
import { describe, expect, it } from 'vitest';
import { extendGraph, interpret, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, lstm, unroll } from '@cellgrad/cells';
import { compileOnnx } from '@cellgrad/onnx';
import { F32_TOL, worstError } from './helpers.js';

const opts = { input: 4, hidden: 5, batch: 3, steps: 6, dtype: 'float32' as const };
const WEIGHTS = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'];

/** forward + loss + backward + clip_grad_norm_(max 1) + SGD(lr 0.5): outputs loss and new:<w>. */
function trainingStep(): Graph {
  const withLoss = extendGraph(unroll(lstm, opts), ({ outputs }) => ({ loss: outputs.out!.square().mean() }));
  const g = grad(withLoss, { of: 'loss', wrt: WEIGHTS });
  return extendGraph(g, ({ builder, inputs, outputs }) => {
    const grads = WEIGHTS.map((w) => outputs[`grad:${w}`]!);
    const norm = grads
      .map((t) => t.square().sum())
      .reduce((a, b) => a.add(b))
      .sqrt();
    const coef = builder.constant(1).div(norm.add(1e-6)).minimum(1);
    const result: Record<string, Tensor> = { loss: outputs.loss! };
    WEIGHTS.forEach((w, k) => (result[`new:${w}`] = inputs[w]!.sub(grads[k]!.mul(coef).mul(0.5))));
    return result;
  });
}

describe('a training step exported to ONNX', () => {
  it('equals the interpreter, and repeated steps on ORT lower the loss', async () => {
    const g = trainingStep();
    const feeds: Record<string, NDArray> = cellFeeds(lstm, opts, 4);
    const exe = await compileOnnx(g, { dtype: 'float32' });
    const first = await exe.run(feeds);
    expect(worstError(first, interpret(g, feeds, { dtype: 'float32' })).error).toBeLessThanOrEqual(F32_TOL);
    let current = feeds;
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await exe.run(current);
      losses.push(out.loss!.data[0]!);
      current = { ...current, ...Object.fromEntries(WEIGHTS.map((w) => [w, out[`new:${w}`]!])) };
    }
    await exe.release();
    expect(losses[4]!).toBeLessThan(losses[0]!);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThanOrEqual(losses[i - 1]! + 1e-7);
  });
});
