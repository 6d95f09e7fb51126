/** @cellgrad/autodiff — reverse mode as a Graph -> Graph transform, and gradient checking. */
export { grad, cotangentName, type GradOptions } from './grad.js';
export { unbroadcast } from './unbroadcast.js';
