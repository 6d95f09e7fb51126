/** Registers every built-in op (import for side effects) and re-exports the registry API. */
import './sources.js';
import './arithmetic.js';
import './unary.js';
import './activations.js';
import './compare.js';
import './matmul.js';
import './layout.js';
import './slicing.js';
import './reduce.js';
import './softmax.js';
import './normalize.js';

export { defineOp, getOp, hasOp, listOps, type Op, type OpAttrs, type OpDef, type KernelArgs, type Vjp, type VjpArgs } from './registry.js';
export { defineElementwise, elementwiseKernel, elementwiseType, broadcastIndex, type ElementwiseDef, type ElementwiseOp } from './elementwise.js';
export * as ops from './callables.js';
export { sigmoidScalar } from './activations.js';
import './softplus.js';
import './clip-grad.js';
import './step-gate.js';
import './random.js';
import './scan.js';
import './log-scan.js';
import './loop.js';
