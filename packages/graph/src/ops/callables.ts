/**
 * Every built-in op as a function, by its name in camelCase (`log_softmax` → `logSoftmax`), exported
 * publicly as the `ops` namespace. These are the ops themselves: attributes go in a trailing options
 * object, exactly as the graph stores them (`ops.sum(x, { axes: [0], keepDims: false })`); the tensor
 * methods and free functions (`x.sum(0)`, `sum(x, 0)`) are built on them and normalise friendlier
 * arguments. Each function carries its definition (`ops.tanh.def`, `ops.tanh.opName`).
 * @example
 * import { ops } from '@cellgrad/graph';
 * const y = ops.stepSte(x, { surrogate: 'identity' });
 */
export { add, sub, mul, div, pow, maximum, minimum } from './arithmetic.js';
export { neg, exp, log, sqrt, square, abs, sign } from './unary.js';
export { tanh, sigmoid, relu, clamp, hardSigmoid } from './activations.js';
export { greater, greaterEqual, less, lessEqual, equal, notEqual, where } from './compare.js';
export { matmul } from './matmul.js';
export { transpose, reshape, broadcastTo } from './layout.js';
export { concatOp as concat, slice, pad } from './slicing.js';
export { sumOp as sum, meanOp as mean, maxOp as max } from './reduce.js';
export { softmaxOp as softmax, logSoftmaxOp as logSoftmax } from './softmax.js';
export { varianceOp as variance, layerNormOp as layerNorm } from './normalize.js';
export { softplus } from './softplus.js';
export { clipGrad } from './clip-grad.js';
export { stepSte } from './step-gate.js';
export { randomUniform } from './random.js';
export { linearScan } from './scan.js';
export { logLinearScan } from './log-scan.js';
