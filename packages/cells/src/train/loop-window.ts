/**
 * A training window as loops: when a window is long (`LOOP_MIN_STEPS` steps or more, or the model's
 * `loop: 'always'`), each layer and direction is one `loop` node (`loopLayers`, as `unroll`'s loop
 * form) and the readout and the loss read all steps at once, so the window's graph, its gradient
 * and its compiled plan stay the same size at any length. Windows that need per-step trainer hooks
 * (Graves clipping, gradient taps) or regularisers run step by step.
 */
import { CellgradError, type GraphBuilder, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { UnrollLayout } from '../layout.js';
import type { LoopMode } from '../options.js';
import { readout } from '../unroll/head.js';
import { LOOP_MIN_STEPS, loopBodies, loopLayers } from '../unroll/loop-layer.js';
import { lossTerm, type LossSpec } from './losses.js';

/** What decides whether a window runs as loops. */
export interface WindowLoopChoice {
  readonly cell: Cell;
  readonly layout: UnrollLayout;
  /** The model's loop mode (default `'auto'`). */
  readonly mode: LoopMode | undefined;
  /** Why per-step hooks are needed (Graves clipping, taps), if they are. */
  readonly hooks: string | undefined;
}

/** The loop bodies of a window's layers, or undefined to run it step by step (`'always'` explains why it cannot). */
export function windowLoopBodies(c: WindowLoopChoice): ReturnType<typeof loopBodies>['bodies'] {
  const mode = c.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'always' && mode !== 'never')
    throw new CellgradError('usage', `model option 'loop': unknown mode ${JSON.stringify(mode)} (expected 'auto', 'always' or 'never')`);
  if (mode === 'never' || (mode === 'auto' && c.layout.options.steps < LOOP_MIN_STEPS)) return undefined;
  const r = c.hooks ? { refusal: `${c.hooks} run step by step` } : loopBodies(c.cell, c.layout);
  if (r.bodies) return r.bodies;
  if (mode === 'always') throw new CellgradError('usage', `model (cell '${c.cell.name}'): loop 'always', but the window cannot run as loops: ${r.refusal}`);
  return undefined;
}

/** What a looped window needs. */
export interface LoopWindowArgs {
  readonly cell: Cell;
  readonly builder: GraphBuilder;
  readonly layout: UnrollLayout;
  readonly declared: ReadonlyMap<string, Tensor>;
  readonly bodies: NonNullable<ReturnType<typeof windowLoopBodies>>;
  /** The window's input `[n, B, I]` and its first time index. */
  readonly x: Tensor;
  readonly start: number;
  readonly loss: LossSpec;
  readonly headWeight: Tensor;
  readonly headBias: Tensor;
  /** Targets and mask when the window has loss terms (`[n, B, O]` and `[n, B]`, or `[B, O]` and `[B]` for a loss at the last step). */
  readonly y?: Tensor;
  readonly mask?: Tensor;
  /** Whether the window ends the sequence (where a loss at the last step is taken). */
  readonly ends: boolean;
}

/** The unscaled loss, the predictions (`[n, B, O]`, or `[B, O]` at the last step) and each state's finals. */
export function loopWindow(a: LoopWindowArgs): {
  readonly loss?: Tensor;
  readonly pred?: Tensor;
  readonly finals: Readonly<Record<string, readonly Tensor[]>>;
} {
  const b = a.builder;
  const r = loopLayers(a.cell, b, a.layout, a.declared, a.x, a.bodies, a.start);
  const [n, B] = [a.x.shape[0]!, a.x.shape[1]!];
  if (a.loss.at === 'last') {
    if (!a.ends) return { finals: r.finals };
    const pred = b.scoped({ cell: 'head' }, () => readout(r.summary, a.headWeight, a.headBias));
    const loss = a.y && b.scoped({ cell: 'loss' }, () => lossTerm(a.loss.kind, pred, a.y!, a.mask!));
    return { pred, finals: r.finals, ...(loss ? { loss } : {}) };
  }
  const rows = b.scoped({ cell: 'head' }, () => readout(r.output.reshape([n * B, r.output.shape[2]!]), a.headWeight, a.headBias));
  const O = rows.shape[1]!;
  const loss = a.y && b.scoped({ cell: 'loss' }, () => lossTerm(a.loss.kind, rows, a.y!.reshape([n * B, O]), a.mask!.reshape([n * B])));
  return { pred: rows.reshape([n, B, O]), finals: r.finals, ...(loss ? { loss } : {}) };
}
