/**
 * Held-out evaluation: the model's loss (MSE for the adding problem) and, for classification
 * tasks, its accuracy on batches from the held-out data stream, which training never sees. The
 * model runs in eval mode: dropout off, zoneout by its expectation (see `unroll`'s `mode`).
 */
import { dataRng, type Task } from '../tasks/task.js';
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
  /** Sequences evaluated. */
  readonly sequences: number;
}

const cache = new WeakMap<ModelSpec, Map<string, { w: WindowGraph; run: Runner }>>();

/** Evaluate `params` on `batches` held-out batches of `task` for `seed`. */
export function evaluate(spec: ModelSpec, params: ParamValues, task: Task, seed: number, batches: number, exec: ExecOptions = {}): Evaluation {
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
  let loss = 0, hits = 0, terms = 0;
  for (let k = 0; k < batches; k++) {
    const batch = task.generate(dataRng(seed, 'heldout', k), spec.batch);
    checkBatch(spec, batch, `evaluate: task '${task.name}' generate(rng, ${spec.batch})`);
    const states = Object.fromEntries(w.states.map((s) => {
      const shape = w.graph.nodes[w.graph.inputs.find((p) => p.name === `${s}0`)!.id]!.shape;
      return [`${s}0`, { shape, data: new Float64Array(shape.reduce((a, d) => a * d, 1)) }];
    }));
    const feeds = { ...windowDataFeeds(spec, w, batch), ...states, ...Object.fromEntries(w.params.map((p) => [p, { shape: w.graph.nodes[w.graph.inputs.find((i) => i.name === p)!.id]!.shape, data: params[p]! }])) };
    const out = run(feeds);
    loss += out.loss![0]!;
    if (spec.loss.kind === 'xent') {
      const pred = out.pred!;
      const mask = effectiveMask(spec, batch);
      for (let r = 0; r < mask.length; r++) {
        if (mask[r] === 0) continue;
        let best = 0;
        for (let o = 1; o < O; o++) if (pred[r * O + o]! > pred[r * O + best]!) best = o;
        hits += batch.y[r * O + best] === 1 ? 1 : 0;
        terms++;
      }
    }
  }
  return { loss: loss / batches, ...(spec.loss.kind === 'xent' ? { accuracy: hits / Math.max(terms, 1) } : {}), sequences: batches * spec.batch };
}
