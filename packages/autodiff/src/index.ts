/** @cellgrad/autodiff — reverse mode as a Graph -> Graph transform, and gradient checking. */
export { grad, cotangentName, type GradOptions } from './grad.js';
export { unbroadcast } from './unbroadcast.js';
export {
  gradcheck,
  formatGradcheck,
  type GradcheckOptions,
  type GradcheckReport,
  type InputReport,
  type NonFiniteFinding,
  type OrderReport,
  type WorstElement,
} from './gradcheck/index.js';
export { makeProbe, probeCotangent, type Probe } from './gradcheck/probe.js';
