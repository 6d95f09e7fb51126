/** Options and reports of gradient checking. */
import type { NonFiniteFinding } from './nonfinite.js';

/** A symbolic derivative `gradcheck` can check: reverse mode (`grad`) or forward mode (`jvp`). */
export type GradcheckDerivation = 'rev' | 'fwd';

/** Options of `gradcheck`. Defaults are PyTorch's `gradcheck` defaults. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-5). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-3): an element passes iff |analytic − numeric| ≤ atol + rtol·|numeric|. */
  readonly rtol?: number;
  /** Inputs to check (default: every input except random keys, which are integer data; see `keyInputNames`). */
  readonly wrt?: readonly string[];
  /** Outputs whose Jacobian is checked (default: every output). */
  readonly outputs?: readonly string[];
  /**
   * `'full'` (default) compares every element of the Jacobian; `'fast'` compares vᵀJu for random
   * directions u (per input) and v (over the outputs), as PyTorch's `fast_mode`.
   */
  readonly mode?: 'full' | 'fast';
  /**
   * Which symbolic derivatives to check against finite differences (default `['rev']`): `'rev'`,
   * reverse mode (one VJP per output element in full mode); `'fwd'`, forward mode (one JVP per input
   * element); both (JAX's `check_grads` modes): each against finite differences and forward against
   * reverse. With `'fwd'`, every input report carries its `check`.
   */
  readonly modes?: readonly GradcheckDerivation[];
  /** 1 (default) checks gradients; 2 also checks second derivatives (as PyTorch's gradgradcheck). */
  readonly order?: 1 | 2;
  /** Seed of the random directions and cotangents (default 0). */
  readonly seed?: number;
  /** Time axis of sequence inputs/outputs by name (e.g. `{ x: 0, out: 0 }`), to report the step. */
  readonly timeAxes?: Readonly<Record<string, number>>;
  /** Called after each finite-difference evaluation (done, total), for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Memory budget in bytes (default `DEFAULT_MAX_BYTES` of `@cellgrad/graph`, 4 GiB; `Infinity`
   * turns it off): checked before the first evaluation against the interpreter's peak on the probe
   * graphs plus, in full mode, the analytic Jacobian (outputs × inputs elements, float64).
   */
  readonly maxBytes?: number;
}

/** Where the largest error of one input was found. */
export interface WorstElement {
  /** Index of the element of the input. */
  readonly index: readonly number[];
  /** Time step of that element, when the input has a time axis. */
  readonly step?: number;
  /** The output whose derivative it is (full mode). */
  readonly output?: string;
  /** Index of the element of that output (full mode). */
  readonly outputIndex?: readonly number[];
  /** Time step of that output element, when the output has a time axis. */
  readonly outputStep?: number;
  /** The symbolic derivative. */
  readonly analytic: number;
  /** The finite-difference derivative. */
  readonly numeric: number;
}

/** The result for one input. */
export interface InputReport {
  readonly name: string;
  readonly shape: readonly number[];
  /** Largest |analytic − numeric|. */
  readonly maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|) over elements not both zero (Infinity when one is not finite). */
  readonly maxRelError: number;
  /** Largest |analytic − numeric| / (atol + rtol·|numeric|): the element fails when above 1. */
  readonly worstRatio: number;
  /** The element with the largest ratio (absent when the input has no elements). */
  readonly worst?: WorstElement;
  readonly passed: boolean;
  /**
   * What was compared, when forward mode was checked: `'rev'` (reverse mode against finite
   * differences), `'fwd'` (forward mode against finite differences), `'fwd=rev'` (forward against
   * reverse: `analytic` is the forward value, `numeric` the reverse one).
   */
  readonly check?: 'rev' | 'fwd' | 'fwd=rev';
}

/** The result of one gradient check (one order). */
export interface OrderReport {
  readonly order: 1 | 2;
  readonly inputs: readonly InputReport[];
  readonly passed: boolean;
  /**
   * When a derivative of this order was NaN or ±Infinity: where the first non-finite value comes
   * from (forward pass, backward pass or a finite difference; node, op, cell, layer, step).
   */
  readonly nonFinite?: NonFiniteFinding;
}

/** The result of `gradcheck`. */
export interface GradcheckReport {
  readonly passed: boolean;
  readonly mode: 'full' | 'fast';
  /** The symbolic derivatives checked. */
  readonly modes: readonly GradcheckDerivation[];
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  /** One entry per order checked (first order, then second when asked). */
  readonly orders: readonly OrderReport[];
  /** Graph evaluations spent. */
  readonly evaluations: number;
  readonly seconds: number;
}
