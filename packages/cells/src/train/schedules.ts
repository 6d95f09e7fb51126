/**
 * Learning-rate schedules: the learning rate as a pure function of the iteration (0-based), so a
 * resumed run sees exactly the rates an uninterrupted one would. Named after PyTorch's schedulers.
 */
import { CellgradError } from '@cellgrad/graph';

/** A schedule as data. */
export type ScheduleSpec =
  | { readonly kind: 'constant' }
  /** StepLR: lr·γ^⌊i/stepSize⌋. */
  | { readonly kind: 'step'; readonly stepSize: number; readonly gamma: number }
  /** ExponentialLR: lr·γ^i. */
  | { readonly kind: 'exponential'; readonly gamma: number }
  /** CosineAnnealingLR over `total` iterations down to `min`: min + (lr − min)(1 + cos(πi/total))/2. */
  | { readonly kind: 'cosine'; readonly total: number; readonly min?: number }
  /** Linear warm-up from lr/warmup to lr over `warmup` iterations, then constant. */
  | { readonly kind: 'warmup'; readonly warmup: number };

/** A learning rate per iteration. */
export type Schedule = (iteration: number) => number;

/**
 * The schedule `spec` describes, with base rate `lr`.
 * @example
 * const rate = schedule(0.1, { kind: 'step', stepSize: 100, gamma: 0.5 }); rate(250) // 0.025
 */
export function schedule(lr: number, spec: ScheduleSpec = { kind: 'constant' }): Schedule {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new CellgradError('usage', `learning rate must be a positive number, got ${lr}`);
  const positive = (name: string, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new CellgradError('usage', `schedule '${spec.kind}': '${name}' must be positive, got ${v}`);
  };
  switch (spec.kind) {
    case 'constant':
      return () => lr;
    case 'step':
      positive('stepSize', spec.stepSize);
      positive('gamma', spec.gamma);
      return (i) => lr * spec.gamma ** Math.floor(i / spec.stepSize);
    case 'exponential':
      positive('gamma', spec.gamma);
      return (i) => lr * spec.gamma ** i;
    case 'cosine': {
      positive('total', spec.total);
      const min = spec.min ?? 0;
      return (i) => min + ((lr - min) * (1 + Math.cos((Math.PI * Math.min(i, spec.total)) / spec.total))) / 2;
    }
    case 'warmup':
      positive('warmup', spec.warmup);
      return (i) => (i < spec.warmup ? (lr * (i + 1)) / spec.warmup : lr);
    default:
      throw new CellgradError(
        'usage',
        `unknown schedule ${JSON.stringify((spec as { kind: unknown }).kind)} (known: constant, step, exponential, cosine, warmup)`,
      );
  }
}
