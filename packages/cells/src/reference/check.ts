/**
 * `checkReference`: runs one reference case through cellgrad (unroll in float64, add the loss with
 * `extendGraph`, differentiate with `grad`, run with `interpret`) and compares every output, final
 * state, the loss and every gradient with the PyTorch values. Returns data; printing is the CLI's.
 * Cases may be bidirectional, variable-length (`lengths`), batch-first or projected (`proj_size`,
 * through `withProjection`); the graph is unrolled with the matching options.
 */
import { grad } from '@cellgrad/autodiff';
import { CellgradError, extendGraph, formatShape, interpret, sameShape, type NDArray, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { builtinCells } from '../builtins/registry.js';
import { withProjection } from '../builtins/lstm-cell.js';
import { checkLengths } from '../lengths.js';
import { describeUnroll, type UnrollLayout } from '../layout.js';
import { unroll } from '../unroll/unroll.js';
import { compareTensor } from './compare.js';
import type { ReferenceCase, ReferenceReport, TensorComparison } from './types.js';

/** Options of `checkReference`. */
export interface CheckReferenceOptions {
  /** Largest normwise relative error that passes (default 1e-9). */
  readonly tolerance?: number;
  /** Cells by the name a case uses (default: the built-in cells). */
  readonly cells?: Readonly<Record<string, Cell>>;
}

function problem(c: ReferenceCase, message: string): never {
  throw new CellgradError('usage', `checkReference (${c.source}): ${message}`);
}

/** Our parameter input name for each of the file's names (PyTorch's `_l0` is dropped for one layer). */
function mapParams(c: ReferenceCase, layout: UnrollLayout): Map<string, string> {
  const ours = new Map(layout.inputs.filter((s) => s.role === 'param').map((s) => [s.name, s]));
  const map = new Map<string, string>();
  for (const [fileName, value] of Object.entries(c.params)) {
    const name = c.layers === 1 ? fileName.replace(/_l0(_reverse)?$/, '$1') : fileName;
    const spec = ours.get(name);
    if (!spec) problem(c, `parameter '${fileName}' is not a parameter of cell '${c.cell}' (its parameters: ${[...ours.keys()].join(', ')})`);
    if (!sameShape(spec.shape, value.shape))
      problem(c, `parameter '${fileName}' has shape ${formatShape(value.shape)}, but cell '${c.cell}' expects ${formatShape(spec.shape)}`);
    map.set(fileName, name);
  }
  const mapped = new Set(map.values());
  const missing = [...ours.keys()].filter((n) => !mapped.has(n));
  if (missing.length > 0) problem(c, `the file gives no value for parameter(s) ${missing.join(', ')} of cell '${c.cell}'`);
  return map;
}

function checkStates(c: ReferenceCase, layout: UnrollLayout): void {
  const ours = layout.inputs.filter((s) => s.role === 'state');
  const theirs = Object.keys(c.inputs).filter((k) => k !== 'x' && k !== 'lengths');
  const names = new Set(ours.map((s) => s.name));
  if (theirs.length !== ours.length || !theirs.every((k) => names.has(k))) {
    problem(c, `initial states ${theirs.join(', ')} do not match cell '${c.cell}''s ${ours.map((s) => s.name).join(', ')}`);
  }
  for (const s of ours) {
    if (!sameShape(c.inputs[s.name]!.shape, s.shape))
      problem(c, `input '${s.name}' has shape ${formatShape(c.inputs[s.name]!.shape)}, expected ${formatShape(s.shape)}`);
  }
}

/**
 * Check one reference case against cellgrad's cell of the same name, in float64.
 * @example
 * const report = checkReference(loadReference('lstm.json').cases[0]!);
 * report.passed; report.worst.maxRelError;
 */
export function checkReference(c: ReferenceCase, options: CheckReferenceOptions = {}): ReferenceReport {
  const tolerance = options.tolerance ?? 1e-9;
  if (!(tolerance >= 0)) throw new CellgradError('usage', `checkReference: 'tolerance' must be a non-negative number, got ${JSON.stringify(tolerance)}`);
  const cells = options.cells ?? builtinCells;
  const named = Object.hasOwn(cells, c.cell) ? cells[c.cell] : undefined;
  if (!named) problem(c, `no cell named '${c.cell}' (known cells: ${Object.keys(cells).join(', ')})`);
  const cell = c.proj_size === undefined ? named : withProjection(named, c.proj_size);
  const unrollOptions = {
    input: c.input_size,
    hidden: c.hidden_size,
    batch: c.batch,
    steps: c.steps,
    layers: c.layers,
    dtype: 'float64' as const,
    bidirectional: c.bidirectional,
    batchFirst: c.batch_first,
    lengths: c.lengths !== undefined,
  };
  const layout = describeUnroll(cell, unrollOptions, 'checkReference');
  const paramNames = mapParams(c, layout);
  checkStates(c, layout);

  const forward = unroll(cell, unrollOptions);
  const withLoss = extendGraph(forward, ({ builder, outputs }) => {
    let loss: Tensor | undefined;
    for (const o of layout.outputs) {
      const weightName = o.state === undefined ? 'R_out' : `R_${o.state}`;
      const term = outputs[o.name]!.mul(builder.input(weightName, o.shape, 'float64')).sum();
      loss = loss ? loss.add(term) : term;
    }
    return { ...outputs, loss: loss! };
  });
  const wrt = layout.inputs.filter((s) => s.role !== 'lengths').map((s) => s.name);
  const dg = grad(withLoss, { of: 'loss', wrt });

  const feeds: Record<string, NDArray> = { ...c.inputs };
  if (c.lengths) checkLengths(c.inputs.lengths!, c);
  for (const [fileName, name] of paramNames) feeds[name] = c.params[fileName]!;
  for (const o of layout.outputs) {
    const weightName = o.state === undefined ? 'R_out' : `R_${o.state}`;
    const w = c.loss_weights[weightName];
    if (!w) problem(c, `missing loss weight '${weightName}'`);
    if (!sameShape(w.shape, o.shape)) problem(c, `loss weight '${weightName}' has shape ${formatShape(w.shape)}, expected ${formatShape(o.shape)}`);
    feeds[weightName] = w;
  }
  const results = interpret(dg, feeds);

  const comparisons: TensorComparison[] = [];
  for (const o of layout.outputs) comparisons.push(compareTensor(o.name, results[o.name]!, c.expected.tensors[o.name]!, tolerance));
  comparisons.push(compareTensor('loss', results.loss!, { shape: [], data: new Float64Array([c.expected.loss]) }, tolerance));
  const fileNameOf = new Map([...paramNames].map(([file, ours]) => [ours, file]));
  for (const s of layout.inputs.filter((i) => i.role !== 'lengths')) {
    const fileName = fileNameOf.get(s.name) ?? s.name;
    comparisons.push(compareTensor(`grad:${fileName}`, results[`grad:${s.name}`]!, c.expected.grads[fileName]!, tolerance));
  }
  const worst = comparisons.reduce((a, b) => (b.maxRelError > a.maxRelError || Number.isNaN(b.maxRelError) ? b : a));
  return {
    source: c.source,
    cell: c.cell,
    layers: c.layers,
    tolerance,
    passed: comparisons.every((t) => t.passed),
    comparisons,
    worst,
  };
}
