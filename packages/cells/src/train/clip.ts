/**
 * Gradient clipping on computed gradients, each semantic named after the system it matches
 * (../shared/NUMERICS.md). Graves-style clipping of the state gradient inside BPTT is the
 * `clip_grad` op, inserted between steps by the sequence model (`gravesClip`), not a function here.
 */
import { CellgradError } from '@cellgrad/graph';
import type { ParamValues } from './optimizers.js';

/** Clipping as data. */
export type ClipSpec =
  | { readonly kind: 'none' }
  /** PyTorch clip_grad_norm_: one norm over all gradients. */
  | { readonly kind: 'global-norm'; readonly maxNorm: number }
  /** Keras clipnorm: each tensor separately. */
  | { readonly kind: 'per-tensor'; readonly maxNorm: number }
  /** PyTorch clip_grad_value_ / Keras clipvalue: clamp every element. */
  | { readonly kind: 'value'; readonly clip: number };

function positive(what: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new CellgradError('usage', `${what} must be a positive number, got ${v}`);
}

function norm2(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s);
}

/**
 * PyTorch `clip_grad_norm_` (2-norm): total = ‖concat(all grads)‖₂; coef = maxNorm / (total + 1e-6),
 * clamped to ≤ 1; every gradient is multiplied by coef (also when coef = 1, as PyTorch does). Returns
 * the total norm before clipping.
 */
export function clipGradNorm(grads: ParamValues, maxNorm: number): number {
  positive('clipGradNorm: maxNorm', maxNorm);
  let s = 0;
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  const total = Math.sqrt(s);
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  return total;
}

/**
 * Keras `clipnorm` (tf.clip_by_norm per tensor): g ← g·maxNorm / max(‖g‖₂, maxNorm), each tensor on
 * its own. Returns each tensor's norm before clipping.
 */
export function clipPerTensor(grads: ParamValues, maxNorm: number): Record<string, number> {
  positive('clipPerTensor: maxNorm', maxNorm);
  const norms: Record<string, number> = {};
  for (const [name, g] of Object.entries(grads)) {
    const n = norm2(g);
    norms[name] = n;
    if (n > maxNorm) for (let i = 0; i < g.length; i++) g[i] = (g[i]! * maxNorm) / n;
  }
  return norms;
}

/** PyTorch `clip_grad_value_`: clamp every element to [−clip, clip]. Returns how many were clamped. */
export function clipByValue(grads: ParamValues, clip: number): number {
  positive('clipByValue: clip', clip);
  let clamped = 0;
  for (const g of Object.values(grads)) {
    for (let i = 0; i < g.length; i++) {
      if (g[i]! > clip) {
        g[i] = clip;
        clamped++;
      } else if (g[i]! < -clip) {
        g[i] = -clip;
        clamped++;
      }
    }
  }
  return clamped;
}

/**
 * Apply `spec` to `grads` in place and return the global 2-norm of the gradients before clipping
 * (for logs, whatever the semantic).
 */
export function applyClip(grads: ParamValues, spec: ClipSpec): number {
  if (spec.kind === 'global-norm') return clipGradNorm(grads, spec.maxNorm);
  let s = 0;
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  if (spec.kind === 'per-tensor') clipPerTensor(grads, spec.maxNorm);
  else if (spec.kind === 'value') clipByValue(grads, spec.clip);
  else if (spec.kind !== 'none')
    throw new CellgradError('usage', `unknown clipping ${JSON.stringify((spec as { kind: unknown }).kind)} (known: none, global-norm, per-tensor, value)`);
  return Math.sqrt(s);
}
