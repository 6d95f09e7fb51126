/**
 * The sequence-to-one head: the last step's output (for a bidirectional network, the forward
 * direction's last step and the reverse direction's last step, i.e. its output at time 0,
 * concatenated) through a dense layer and a softmax; and the cross-entropy loss that trains it.
 */
import { concat, crossEntropy, extendGraph, fail, formatShape, linear, type Graph, type Tensor } from '@cellgrad/graph';

/**
 * The summary vector of a sequence: the last output of each direction, `[batch, outputs]`. For a
 * variable-length batch, `forwardLast` is the forward direction's output at each sequence's own
 * last step (the reverse direction's last output, at time 0, is always a real step).
 */
export function lastOutput(directions: readonly (readonly Tensor[])[], forwardLast?: Tensor): Tensor {
  const [fwd, bwd] = directions;
  const last = forwardLast ?? fwd![fwd!.length - 1]!;
  return bwd ? concat([last, bwd[0]!], -1) : last;
}

/**
 * The readout: `last · head_weightᵀ + head_bias`. The seq2one head's logits, and the training
 * model's prediction (at the last step for a loss at the last step, at every step otherwise).
 */
export function readout(last: Tensor, weight: Tensor, bias: Tensor): Tensor {
  return linear(last, weight, bias);
}

/** `logits = readout(last)`, `probs = softmax(logits)`. */
export function softmaxHead(last: Tensor, weight: Tensor, bias: Tensor): { logits: Tensor; probs: Tensor } {
  const logits = readout(last, weight, bias);
  return { logits, probs: logits.softmax(-1) };
}

/**
 * Add a cross-entropy loss to a seq2one graph: a new input `labels` [batch, classes] (one-hot or
 * soft targets) and a new output `loss` = mean over the batch of −Σ labels · log softmax(logits).
 * The original outputs are kept. Stable for large logits (it uses log-softmax, not log(probs)).
 * @example
 * const g = withCrossEntropy(unroll(gru, { input: 8, hidden: 16, batch: 4, steps: 20, pattern: 'seq2one', classes: 3 }));
 * const dg = grad(g, { of: 'loss' });
 */
export function withCrossEntropy(g: Graph, options: { readonly labels?: string } = {}): Graph {
  const labels = options.labels ?? 'labels';
  return extendGraph(g, ({ builder, inputs, outputs }) => {
    const logits = outputs.logits;
    if (!logits)
      fail('usage', `withCrossEntropy: the graph has no 'logits' output (unroll with pattern 'seq2one'); outputs: ${Object.keys(outputs).join(', ')}`);
    if (labels in inputs) fail('usage', `withCrossEntropy: the graph already has an input named '${labels}'`);
    if (logits.rank !== 2) fail('usage', `withCrossEntropy: 'logits' must be [batch, classes], got ${formatShape(logits.shape)}`);
    const y = builder.input(labels, logits.shape, logits.dtype);
    return { ...outputs, loss: crossEntropy(logits, y).mean() };
  });
}
