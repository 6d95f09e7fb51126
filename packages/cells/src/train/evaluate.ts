/**
 * Held-out evaluation: the model's loss (MSE for the adding problem) and, for classification
 * tasks, its accuracy on batches from the held-out data stream, which training never sees. Tasks
 * over a data set are evaluated on their whole held-out split by default (the loss weighted by the
 * real terms of each batch, so the padded tail of the last batch counts for nothing), and language
 * models also report bits per character. The model runs in eval mode: dropout off, zoneout by its
 * expectation (see `unroll`'s `mode`).
 */
import { heldoutBatches, taskBatch } from '../tasks/dataset.js';
import type { Task } from '../tasks/task.js';
import { checkBatch, checkParamValues, effectiveMask, windowDataFeeds } from './batch.js';
import { runner, type ExecOptions, type Runner } from './executor.js';
import { buildWindow, modelParamShapes, type ModelSpec, type WindowGraph } from './model.js';
import type { ParamValues } from './optimizers.js';

/** Held-out scores. */
export interface Evaluation {
  /** Mean loss over the held-out batches. */
  readonly loss: number;
  /** Fraction of masked terms whose argmax prediction is the target (cross-entropy tasks). */
  readonly accuracy?: number;
  /** Mean loss in bits (loss / ln 2), for language-model tasks (`metric: 'bits-per-char'`). */
  readonly bitsPerChar?: number;
  /** Sequences evaluated. */
  readonly sequences: number;
}

/**
 * Correct argmax predictions among the unmasked rows: `pred` and one-hot `y` are [rows, O], `mask`
 * [rows]; a row is correct when its largest logit (the first, on ties) is at the target's 1.
 *
 * @example countCorrect([0.1, 2, 3, 0], [0, 1, 1, 0], [1, 1], 2) // { hits: 1, terms: 2 }
 */
export function countCorrect(pred: ArrayLike<number>, y: ArrayLike<number>, mask: ArrayLike<number>, outputs: number): { hits: number; terms: number } {
  const O = outputs;
  let hits = 0,
    terms = 0;
  for (let r = 0; r < mask.length; r++) {
    if (mask[r] === 0) continue;
    let best = 0;
    for (let o = 1; o < O; o++) if (pred[r * O + o]! > pred[r * O + best]!) best = o;
    hits += y[r * O + best] === 1 ? 1 : 0;
    terms++;
  }
  return { hits, terms };
}

const cache = new WeakMap<ModelSpec, Map<string, { w: WindowGraph; run: Runner }>>();

/**
 * Evaluate `params` on `batches` held-out batches of `task` for `seed` (default: the whole held-out
 * split of a data task, 4 batches of a generated one).
 */
export function evaluate(spec: ModelSpec, params: ParamValues, task: Task, seed: number, batches?: number, exec: ExecOptions = {}): Evaluation {
  const n = batches ?? (task.data ? heldoutBatches(task.data, spec.batch) : 4);
  checkParamValues(modelParamShapes(spec), params, 'evaluate');
  let byExec = cache.get(spec);
  if (!byExec) cache.set(spec, (byExec = new Map()));
  const key = JSON.stringify(exec);
  let entry = byExec.get(key);
  if (!entry) {
    const win = buildWindow({ ...spec, mode: 'eval' }, { predictions: true });
    byExec.set(key, (entry = { w: win, run: runner(win.graph, exec) }));
  }
  const { w, run } = entry;
  const O = spec.loss.outputs;
  let loss = 0,
    weight = 0,
    hits = 0,
    terms = 0,
    sequences = 0;
  for (let k = 0; k < n; k++) {
    const batch = taskBatch(task, seed, 'heldout', k, spec.batch);
    checkBatch(spec, batch, `evaluate: task '${task.name}' generate(rng, ${spec.batch})`);
    const states = Object.fromEntries(
      w.states.map((s) => {
        const shape = w.graph.nodes[w.graph.inputs.find((p) => p.name === `${s}0`)!.id]!.shape;
        return [`${s}0`, { shape, data: new Float64Array(shape.reduce((a, d) => a * d, 1)) }];
      }),
    );
    const feeds = {
      ...windowDataFeeds(spec, w, batch),
      ...states,
      ...Object.fromEntries(w.params.map((p) => [p, { shape: w.graph.nodes[w.graph.inputs.find((i) => i.name === p)!.id]!.shape, data: params[p]! }])),
    };
    const out = run(feeds);
    // Weight each batch's mean loss by its real terms (all batches weigh the same without padding).
    const mask = effectiveMask(spec, batch);
    const real = countReal(mask);
    loss += out.loss![0]! * real;
    weight += real;
    sequences += task.data ? realSequences(mask, spec.batch) : spec.batch;
    if (spec.loss.kind === 'xent') {
      const c = countCorrect(out.pred!, batch.y, mask, O);
      hits += c.hits;
      terms += c.terms;
    }
  }
  const mean = weight > 0 ? loss / weight : 0;
  return {
    loss: mean,
    ...(spec.loss.kind === 'xent' ? { accuracy: hits / Math.max(terms, 1) } : {}),
    ...(task.metric === 'bits-per-char' ? { bitsPerChar: mean / Math.LN2 } : {}),
    sequences,
  };
}

function countReal(mask: Float64Array): number {
  let n = 0;
  for (const m of mask) if (m !== 0) n++;
  return n;
}

/** Sequences of a batch with at least one unmasked term (mask [B] or [T, B]). */
function realSequences(mask: Float64Array, B: number): number {
  let n = 0;
  for (let b = 0; b < B; b++) {
    for (let r = b; r < mask.length; r += B) {
      if (mask[r] !== 0) {
        n++;
        break;
      }
    }
  }
  return n;
}
