/** @cellgrad/autodiff — reverse and forward mode as Graph -> Graph transforms, Hessian-vector products, and gradient checking. */
export { grad, cotangentName, type GradOptions } from './grad.js';
export { reverseLoopBody } from './loop/reverse-body.js';
export { unbroadcast } from './unbroadcast.js';
export {
  gradcheck,
  formatGradcheck,
  type GradcheckDerivation,
  type GradcheckOptions,
  type GradcheckReport,
  type InputReport,
  type NonFiniteFinding,
  type OrderReport,
  type WorstElement,
} from './gradcheck/index.js';
export { makeProbe, probeCotangent, type Probe } from './gradcheck/probe.js';
export { jvp, jvpName, tangentName, type JvpOptions } from './forward/jvp.js';
export { linearize, type Linearized, type LinearizeOptions } from './forward/linearize.js';
export { hvp, hvpName, type HvpOptions } from './forward/hvp.js';
