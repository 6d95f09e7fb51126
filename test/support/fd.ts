/**
 * An independent finite-difference oracle for the core tests. It knows nothing about `grad` or any
 * gradcheck in the codebase: it perturbs one element of one input at a time and re-runs the
 * reference interpreter in float64, taking the central difference (f(x+ε) − f(x−ε)) / 2ε.
 *
 * Comparisons follow PyTorch's gradcheck: |a − n| ≤ atol + rtol·|n| elementwise (atol 1e-5,
 * rtol 1e-3), and a failure names the worst element.
 */
import { interpret, sizeOf, toArray, type FeedValue, type Graph, type NDArray } from '@cellgrad/graph';

/** Default step of the central difference. */
export const FD_EPS = 1e-6;
/** Default tolerances (PyTorch gradcheck's). */
export const FD_ATOL = 1e-5;
export const FD_RTOL = 1e-3;

/** Feeds as float64 NDArrays, by input name. */
export type Feeds64 = Record<string, NDArray>;

/** Copy every feed of `g` to a fresh float64 NDArray (shape checked later by `interpret`). */
export function toFeeds64(feeds: Readonly<Record<string, FeedValue>>): Feeds64 {
  const out: Feeds64 = {};
  for (const [name, v] of Object.entries(feeds)) {
    const a = toArray(v, name, 'float64');
    out[name] = { shape: [...a.shape], data: Float64Array.from(a.data) };
  }
  return out;
}

/** The output a gradient is taken of: `of`, else the only output, else `loss`. */
export function pickOutputName(g: Graph, of?: string): string {
  if (of !== undefined) {
    if (!g.outputs.some((p) => p.name === of)) throw new Error(`fd: the graph has no output '${of}'`);
    return of;
  }
  if (g.outputs.length === 1) return g.outputs[0]!.name;
  if (g.outputs.some((p) => p.name === 'loss')) return 'loss';
  throw new Error(`fd: the graph has several outputs (${g.outputs.map((p) => p.name).join(', ')}); say which with { of }`);
}

/**
 * Central differences of a scalar function of the feeds, with respect to the named feeds. `f` gets
 * the feeds with one element perturbed (the arrays are restored afterwards).
 */
export function finiteDifferences(f: (feeds: Feeds64) => number, feeds: Feeds64, wrt: readonly string[], eps = FD_EPS): Feeds64 {
  const grads: Feeds64 = {};
  for (const name of wrt) {
    const x = feeds[name];
    if (!x) throw new Error(`fd: no feed named '${name}'`);
    const g = new Float64Array(x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const saved = x.data[i]!;
      x.data[i] = saved + eps;
      const up = f(feeds);
      x.data[i] = saved - eps;
      const down = f(feeds);
      x.data[i] = saved;
      g[i] = (up - down) / (2 * eps);
    }
    grads[name] = { shape: [...x.shape], data: g };
  }
  return grads;
}

/** Options of `numericalGradient`. */
export interface NumericalGradientOptions {
  /** Output to differentiate (default: the only output, else `loss`). */
  readonly of?: string;
  /** Inputs to differentiate with respect to (default: every input of the graph). */
  readonly wrt?: readonly string[];
  /** Central-difference step (default 1e-6). */
  readonly eps?: number;
  /**
   * For a non-scalar output: the vector v of vᵀJ (same shape as the output). The function
   * differentiated is then Σ v ⊙ y.
   */
  readonly cotangent?: ArrayLike<number>;
}

/**
 * The numerical gradient of a scalar output of `g` (or vᵀJ with `cotangent`) with respect to the
 * chosen inputs, evaluating `g` with `interpret` in float64.
 */
export function numericalGradient(g: Graph, feeds: Readonly<Record<string, FeedValue>>, options: NumericalGradientOptions = {}): Feeds64 {
  const of = pickOutputName(g, options.of);
  const wrt = options.wrt ?? g.inputs.map((p) => p.name);
  const v = options.cotangent;
  const f = (fs: Feeds64): number => {
    const y = interpret(g, fs, { dtype: 'float64' })[of]!;
    if (v === undefined) {
      if (sizeOf(y.shape) !== 1) throw new Error(`fd: output '${of}' has shape [${y.shape}], not a scalar; pass { cotangent }`);
      return y.data[0]!;
    }
    if (v.length !== y.data.length) throw new Error(`fd: cotangent has ${v.length} values, output '${of}' has ${y.data.length}`);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * y.data[i]!;
    return s;
  };
  return finiteDifferences(f, toFeeds64(feeds), wrt, options.eps ?? FD_EPS);
}

/**
 * Central difference of a vector-valued function of the feeds along a direction:
 * (F(x + ε·d) − F(x − ε·d)) / 2ε for each named output of F. Used for Hessian-vector products
 * (F = the first gradient, d = v).
 */
export function directionalDerivative(
  f: (feeds: Feeds64) => Record<string, NDArray>,
  feeds: Readonly<Record<string, FeedValue>>,
  direction: Readonly<Record<string, ArrayLike<number>>>,
  outputs: readonly string[],
  eps = FD_EPS,
): Feeds64 {
  const base = toFeeds64(feeds);
  const shifted = (sign: number): Feeds64 => {
    const fs: Feeds64 = {};
    for (const [name, x] of Object.entries(base)) {
      const d = direction[name];
      const data = Float64Array.from(x.data);
      if (d) for (let i = 0; i < data.length; i++) data[i] = data[i]! + sign * eps * d[i]!;
      fs[name] = { shape: x.shape, data };
    }
    return fs;
  };
  const up = f(shifted(1));
  const down = f(shifted(-1));
  const out: Feeds64 = {};
  for (const name of outputs) {
    const u = up[name]!;
    const dn = down[name]!;
    const data = new Float64Array(u.data.length);
    for (let i = 0; i < data.length; i++) data[i] = (u.data[i]! - dn.data[i]!) / (2 * eps);
    out[name] = { shape: [...u.shape], data };
  }
  return out;
}

/** The worst element of a comparison. */
export interface Worst {
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  readonly error: number;
  readonly allowed: number;
}

/** Result of comparing an analytic array against a numerical one. */
export interface Comparison {
  readonly ok: boolean;
  /** The element with the largest error/allowed ratio (undefined for empty arrays). */
  readonly worst?: Worst;
  /** A one-line description of the worst element. */
  readonly message: string;
}

/** Tolerances of a comparison. */
export interface Tolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

/** Compare elementwise: |a − n| ≤ atol + rtol·|n|; non-finite values fail. */
export function compareArrays(analytic: ArrayLike<number>, numeric: ArrayLike<number>, tol: Tolerance = {}, label = 'value'): Comparison {
  const atol = tol.atol ?? FD_ATOL;
  const rtol = tol.rtol ?? FD_RTOL;
  if (analytic.length !== numeric.length) {
    return { ok: false, message: `${label}: ${analytic.length} analytic values but ${numeric.length} numerical ones` };
  }
  let worst: Worst | undefined;
  let worstRatio = -1;
  let ok = true;
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i]!;
    const n = numeric[i]!;
    const error = Math.abs(a - n);
    const allowed = atol + rtol * Math.abs(n);
    const finite = Number.isFinite(a) && Number.isFinite(n);
    const ratio = finite ? error / allowed : Infinity;
    if (!finite || error > allowed) ok = false;
    if (ratio > worstRatio || worst === undefined) {
      worstRatio = ratio;
      worst = { index: i, analytic: a, numeric: n, error, allowed };
    }
  }
  const message = worst
    ? `${label}: worst element [${worst.index}]: analytic ${worst.analytic}, numerical ${worst.numeric}, |diff| ${worst.error.toExponential(3)} vs allowed ${worst.allowed.toExponential(3)}`
    : `${label}: empty`;
  return worst ? { ok, worst, message } : { ok, message };
}

/** Throw an error naming the worst element unless `analytic` matches `numeric`. */
export function assertClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, tol: Tolerance = {}, label = 'value'): void {
  const c = compareArrays(analytic, numeric, tol, label);
  if (!c.ok) throw new Error(`gradient mismatch: ${c.message}`);
}

/**
 * Compare analytic gradients (by name, e.g. the `grad:x` outputs, looked up as `prefix + name`)
 * against numerical ones (by input name); throws naming the input and its worst element.
 */
export function assertGradientsClose(
  analytic: Readonly<Record<string, NDArray>>,
  numeric: Readonly<Record<string, NDArray>>,
  options: Tolerance & { prefix?: string; context?: string } = {},
): void {
  const prefix = options.prefix ?? 'grad:';
  const problems: string[] = [];
  for (const [name, n] of Object.entries(numeric)) {
    const a = analytic[prefix + name];
    if (!a) {
      problems.push(`no analytic output '${prefix}${name}'`);
      continue;
    }
    if (a.shape.length !== n.shape.length || a.shape.some((d, i) => d !== n.shape[i])) {
      problems.push(`'${prefix}${name}' has shape [${a.shape}], the input has [${n.shape}]`);
      continue;
    }
    const c = compareArrays(a.data, n.data, options, `'${name}'`);
    if (!c.ok) problems.push(c.message);
  }
  if (problems.length > 0) throw new Error(`gradient mismatch${options.context ? ` (${options.context})` : ''}:\n  ${problems.join('\n  ')}`);
}
