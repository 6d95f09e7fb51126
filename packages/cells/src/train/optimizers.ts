/**
 * Optimizers with PyTorch's exact update rules (torch.optim.SGD, Adam/AdamW, RMSprop). Parameters
 * and gradients are float64 arrays updated in place; the optimizer's state (moment buffers, step
 * count) is plain data, so a checkpoint can save it and a resumed run continues bit for bit.
 */
import { CellgradError } from '@cellgrad/graph';
import { bufferField, optimizerStateProblem } from './optimizer-state.js';
import { countNonFinite } from './saved-values.js';

/** Parameter (or gradient) values by name, flat row-major float64. */
export type ParamValues = Record<string, Float64Array>;

/** The serialisable state of an optimizer: its kind, step count and named buffers per parameter. */
export interface OptimizerState {
  /** Which optimizer made it (`'sgd'`, `'sgd-nesterov'`, `'adam'`, `'adamw'`, `'rmsprop'`). */
  readonly kind: string;
  /** Updates made so far. */
  readonly step: number;
  /** buffers[param][buffer] = values. */
  readonly buffers: Record<string, Record<string, number[]>>;
}

/** An optimizer: `step` updates `params` in place from `grads` with learning rate `lr`. */
export interface Optimizer {
  /** Which optimizer this is (as in `OptimizerState.kind`). */
  readonly kind: string;
  /** The buffers it keeps per parameter once it has stepped (e.g. `['m', 'v']` for Adam). */
  readonly bufferNames: readonly string[];
  /**
   * One update. `grads` are not modified. A usage error, before any parameter changes, when a
   * gradient is missing or of the wrong size, or a loaded state does not fit the parameters.
   */
  step(params: ParamValues, grads: ParamValues, lr: number): void;
  /** A deep copy of the state, as JSON-able data. */
  state(): OptimizerState;
  /**
   * Replace the state with a saved one of the same kind, after validating it: a usage error naming
   * the field (`optimizer state: buffer 'v.W' holds -1 at index 0; it must be non-negative`) for a
   * negative or fractional step, a missing, unknown, non-numeric, non-finite or negative buffer, or
   * buffers of one parameter with different lengths. A refused state leaves the optimizer unchanged.
   *
   * @example
   * const o = adam();
   * o.load(JSON.parse(text)); // throws CellgradError('usage') on a damaged state
   */
  load(state: OptimizerState): void;
  /** The first buffer holding NaN or ±Infinity (`'v.W'`) and how many such values, or undefined. */
  nonFinite(): { readonly buffer: string; readonly count: number } | undefined;
}

/** Options of `sgd` (torch.optim.SGD). */
export interface SgdOptions {
  /** Momentum factor in [0, 1] (default 0: plain SGD). */
  readonly momentum?: number;
  /** Dampening of the momentum in [0, 1] (default 0). */
  readonly dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and no dampening; default false). */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient: g ← g + wd·p. */
  readonly weightDecay?: number;
}

/** Options of `adam` (torch.optim.Adam, or AdamW with `decoupled`). */
export interface AdamOptions {
  /** Decay of the first-moment estimate, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay of the second-moment estimate, in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Added to the denominator for stability (default 1e-8). */
  readonly eps?: number;
  /** Weight decay wd ≥ 0 (default 0); see `decoupled`. */
  readonly weightDecay?: number;
  /** AdamW: decay the weights directly (p ← p·(1 − lr·wd)) instead of adding wd·p to the gradient. */
  readonly decoupled?: boolean;
}

/** Options of `rmsprop` (torch.optim.RMSprop). */
export interface RmspropOptions {
  /** Decay of the squared-gradient average, in [0, 1] (default 0.99). */
  readonly alpha?: number;
  /** Added to the denominator for stability (default 1e-8). */
  readonly eps?: number;
  /** Momentum factor in [0, 1] (default 0). */
  readonly momentum?: number;
  /** Divide by the estimated variance (subtract the squared mean gradient; default false). */
  readonly centered?: boolean;
  /** L2 penalty added to the gradient: g ← g + wd·p (default 0). */
  readonly weightDecay?: number;
}

type Buffers = Map<string, Record<string, Float64Array>>;

function checkRange(name: string, v: number, lo: number, hi: number, hiOpen = false): void {
  if (!Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new CellgradError('usage', `optimizer: '${name}' must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  }
}

/** Shared state handling: named buffers per parameter, created zero-filled on first use. */
function stateful(
  kind: string,
  names: readonly string[],
  update: (p: Float64Array, g: Float64Array, b: Record<string, Float64Array>, lr: number, t: number) => void,
): Optimizer {
  let t = 0;
  let buffers: Buffers = new Map();
  const buffersOf = (name: string, n: number): Record<string, Float64Array> => {
    let b = buffers.get(name);
    if (!b) {
      b = Object.fromEntries(names.map((k) => [k, new Float64Array(n)]));
      buffers.set(name, b);
    }
    return b;
  };
  return {
    kind,
    bufferNames: names,
    step(params, grads, lr) {
      // Check everything before changing anything, so a refused step leaves the parameters alone.
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name];
        if (!g) throw new CellgradError('usage', `optimizer: no gradient for parameter '${name}'`);
        if (g.length !== p.length) throw new CellgradError('usage', `optimizer: gradient of '${name}' has ${g.length} values, the parameter ${p.length}`);
        const b = buffers.get(name);
        if (!b && t > 0 && names.length > 0) {
          const savedFor = [...buffers.keys()].join(', ') || 'no parameters';
          throw new CellgradError('usage', `optimizer: no saved buffers for parameter '${name}' at step ${t} (the state was saved for ${savedFor})`);
        }
        for (const [k, v] of Object.entries(b ?? {})) {
          if (v.length !== p.length) {
            throw new CellgradError('usage', `optimizer: buffer ${bufferField(k, name)} has ${v.length} values, parameter '${name}' has ${p.length}`);
          }
        }
      }
      t++;
      for (const [name, p] of Object.entries(params)) update(p, grads[name]!, buffersOf(name, p.length), lr, t);
    },
    state() {
      const out: Record<string, Record<string, number[]>> = {};
      for (const [name, b] of buffers) out[name] = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.from(v)]));
      return { kind, step: t, buffers: out };
    },
    load(s) {
      if (typeof s === 'object' && s !== null && s.kind !== kind) {
        throw new CellgradError('usage', `optimizer: cannot load a '${String(s.kind)}' state into a '${kind}' optimizer`);
      }
      const problem = optimizerStateProblem(s, { kind, names });
      if (problem) throw new CellgradError('usage', `optimizer state: ${problem}`);
      t = s.step;
      buffers = new Map(Object.entries(s.buffers).map(([name, b]) => [name, Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Float64Array.from(v)]))]));
    },
    nonFinite() {
      for (const [name, b] of buffers) {
        for (const [k, v] of Object.entries(b)) {
          const count = countNonFinite(v);
          if (count > 0) return { buffer: `${k}.${name}`, count };
        }
      }
      return undefined;
    },
  };
}

/**
 * SGD as torch.optim.SGD: g ← ∇ + wd·p; with momentum μ: buf ← g on the first step, else
 * buf ← μ·buf + (1 − dampening)·g; then g ← g + μ·buf (Nesterov) or g ← buf; p ← p − lr·g.
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
  checkRange('momentum', momentum, 0, 1);
  checkRange('dampening', dampening, 0, 1);
  checkRange('weightDecay', weightDecay, 0, Infinity);
  if (nesterov && (momentum <= 0 || dampening !== 0)) throw new CellgradError('usage', 'optimizer: Nesterov momentum requires momentum > 0 and zero dampening');
  return stateful(nesterov ? 'sgd-nesterov' : 'sgd', momentum > 0 ? ['momentum'] : [], (p, grad, b, lr, t) => {
    const buf = b.momentum;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]! + weightDecay * p[i]!;
      if (buf) {
        buf[i] = t === 1 ? g : momentum * buf[i]! + (1 - dampening) * g;
        g = nesterov ? g + momentum * buf[i]! : buf[i]!;
      }
      p[i] = p[i]! - lr * g;
    }
  });
}

/**
 * Adam as torch.optim.Adam: g ← ∇ + wd·p; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε). With `decoupled` (torch.optim.AdamW) the decay is
 * p ← p·(1 − lr·wd) before the update and the gradient is left alone.
 */
export function adam(options: AdamOptions = {}): Optimizer {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, decoupled = false } = options;
  checkRange('beta1', beta1, 0, 1, true);
  checkRange('beta2', beta2, 0, 1, true);
  checkRange('eps', eps, 0, Infinity);
  checkRange('weightDecay', weightDecay, 0, Infinity);
  return stateful(decoupled ? 'adamw' : 'adam', ['m', 'v'], (p, grad, b, lr, t) => {
    const m = b.m!,
      v = b.v!;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    for (let i = 0; i < p.length; i++) {
      if (decoupled) p[i] = p[i]! * (1 - lr * weightDecay);
      const g = decoupled ? grad[i]! : grad[i]! + weightDecay * p[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      p[i] = p[i]! - (lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
    }
  });
}

/**
 * RMSprop as torch.optim.RMSprop: g ← ∇ + wd·p; v ← αv + (1−α)g²; centered: ḡ ← αḡ + (1−α)g and
 * the denominator is √(v − ḡ²) + ε, else √v + ε; with momentum μ: buf ← μ·buf + g/den, p ← p − lr·buf;
 * without: p ← p − lr·g/den.
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const { alpha = 0.99, eps = 1e-8, momentum = 0, centered = false, weightDecay = 0 } = options;
  checkRange('alpha', alpha, 0, 1);
  checkRange('eps', eps, 0, Infinity);
  checkRange('momentum', momentum, 0, 1);
  checkRange('weightDecay', weightDecay, 0, Infinity);
  const names = ['square_avg', ...(centered ? ['grad_avg'] : []), ...(momentum > 0 ? ['momentum'] : [])];
  return stateful(centered ? 'rmsprop-centered' : 'rmsprop', names, (p, grad, b, lr) => {
    const sq = b.square_avg!,
      ga = b.grad_avg,
      buf = b.momentum;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]! + weightDecay * p[i]!;
      sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
      let den: number;
      if (ga) {
        ga[i] = alpha * ga[i]! + (1 - alpha) * g;
        den = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
      } else den = Math.sqrt(sq[i]!) + eps;
      if (buf) {
        buf[i] = momentum * buf[i]! + g / den;
        p[i] = p[i]! - lr * buf[i]!;
      } else p[i] = p[i]! - (lr * g) / den;
    }
  });
}

/** Optimizer settings as data (what the command line and checkpoints carry). */
export type OptimizerSpec =
  | ({ readonly kind: 'sgd' } & SgdOptions)
  | ({ readonly kind: 'adam' } & AdamOptions)
  | ({ readonly kind: 'rmsprop' } & RmspropOptions);

/** The optimizer an `OptimizerSpec` describes. */
export function makeOptimizer(spec: OptimizerSpec): Optimizer {
  switch (spec.kind) {
    case 'sgd':
      return sgd(spec);
    case 'adam':
      return adam(spec);
    case 'rmsprop':
      return rmsprop(spec);
    default:
      throw new CellgradError('usage', `unknown optimizer ${JSON.stringify((spec as { kind: unknown }).kind)} (known: sgd, adam, rmsprop)`);
  }
}
