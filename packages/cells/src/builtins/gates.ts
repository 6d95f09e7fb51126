/**
 * The activations a gated cell can choose: for gates the logistic sigmoid, the two hard sigmoids
 * (Keras/Theano/TensorFlow.js clamp(0.2x + 0.5, 0, 1) and PyTorch clamp(x/6 + 0.5, 0, 1)) or a 0/1
 * step trained by a straight-through estimator; for the LSTM candidate tanh or 2σ(x) − 1.
 */
import { CellgradError, ops, type Tensor } from '@cellgrad/graph';

/** Gate activation: `'sigmoid'` (default), `'hard_keras'`, `'hard_torch'` or `'step'` (0/1 with a straight-through estimator). */
export type GateKind = 'sigmoid' | 'hard_keras' | 'hard_torch' | 'step';

/**
 * The gradient the `'step'` gate passes back: `'sigmoid'` (default: σ'(x), the soft gate's
 * derivative) or `'identity'` (the cotangent unchanged).
 */
export type SteKind = 'identity' | 'sigmoid';

/** Candidate (cell input) activation of an LSTM: `'tanh'` (default) or `'sigmoid2'`, 2σ(x) − 1. */
export type CandidateKind = 'tanh' | 'sigmoid2';

/** A 0/1 step of `x` (1 where x > 0) whose gradient is the straight-through estimator `ste`. */
export function stepGate(x: Tensor, ste: SteKind = 'sigmoid'): Tensor {
  return ops.stepSte(x, { surrogate: ste });
}

/** The gate activation function of `kind`. */
export function gateFn(kind: GateKind, ste: SteKind = 'sigmoid'): (x: Tensor) => Tensor {
  switch (kind) {
    case 'sigmoid':
      return (x) => x.sigmoid();
    case 'hard_keras':
      return (x) => x.hardSigmoid('keras');
    case 'hard_torch':
      return (x) => x.hardSigmoid('torch');
    case 'step':
      return (x) => stepGate(x, ste);
    default:
      throw new CellgradError('usage', `unknown gate activation ${JSON.stringify(kind)} (expected 'sigmoid', 'hard_keras', 'hard_torch' or 'step')`);
  }
}

/** The candidate activation function of `kind`. */
export function candidateFn(kind: CandidateKind): (x: Tensor) => Tensor {
  if (kind === 'tanh') return (x) => x.tanh();
  if (kind === 'sigmoid2') return (x) => x.sigmoid().mul(2).sub(1);
  throw new CellgradError('usage', `unknown candidate activation ${JSON.stringify(kind)} (expected 'tanh' or 'sigmoid2')`);
}

/** Which biases a cell has: `'two'` (PyTorch: bias_ih and bias_hh), `'one'` (Keras: bias) or `'none'`. */
export type BiasKind = 'two' | 'one' | 'none';

/** Check a bias option. */
export function checkBias(kind: BiasKind, cell: string): BiasKind {
  if (kind !== 'two' && kind !== 'one' && kind !== 'none')
    throw new CellgradError('usage', `${cell}: unknown bias ${JSON.stringify(kind)} (expected 'two', 'one' or 'none')`);
  return kind;
}
