/**
 * `parseReference`: checks every field of a reference-vector file's parsed JSON, with errors naming
 * the file, the field and the problem. Tensors become float64 NDArrays. No file access (see load.ts).
 */
import { CellgradError, formatShape, sameShape, sizeOf, type NDArray } from '@cellgrad/graph';
import type { ReferenceCase, ReferenceFile } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reports problems at fields of one file. */
class Reader {
  constructor(readonly source: string) {}

  fail(field: string, problem: string): never {
    throw new CellgradError('usage', `reference file '${this.source}': ${field ? `field '${field}': ` : ''}${problem}`);
  }

  obj(v: unknown, field: string): Obj {
    if (!isObj(v)) this.fail(field, `expected an object, got ${kind(v)}`);
    return v;
  }

  positiveInt(v: unknown, field: string): number {
    if (!Number.isInteger(v) || (v as number) <= 0) this.fail(field, `expected a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  }

  /** An optional boolean (absent: false). */
  flag(v: unknown, field: string): boolean {
    if (v !== undefined && typeof v !== 'boolean') this.fail(field, `expected true or false, got ${JSON.stringify(v)}`);
    return v === true;
  }

  tensor(v: unknown, field: string): NDArray {
    const o = this.obj(v, field);
    const shape = o.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      this.fail(`${field}.shape`, `expected an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const data = o.data;
    if (!Array.isArray(data)) this.fail(`${field}.data`, `expected an array of numbers, got ${kind(data)}`);
    const n = sizeOf(shape);
    if (data.length !== n) this.fail(`${field}.data`, `expected ${n} numbers for shape ${formatShape(shape)}, got ${data.length}`);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = data[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${field}.data[${i}]`, `expected a finite number, got ${JSON.stringify(x)}`);
      out[i] = x;
    }
    return { shape: [...(shape as number[])], data: out };
  }

  tensors(v: unknown, field: string): Record<string, NDArray> {
    const o = this.obj(v, field);
    const out: Record<string, NDArray> = {};
    for (const [k, t] of Object.entries(o)) out[k] = this.tensor(t, `${field}.${k}`);
    return out;
  }

  need(record: Record<string, NDArray>, key: string, field: string, shape?: readonly number[]): NDArray {
    const t = record[key];
    if (!t) this.fail(`${field}.${key}`, 'missing');
    if (shape && !sameShape(t.shape, shape)) this.fail(`${field}.${key}`, `expected shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    return t;
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function readCase(r: Reader, raw: unknown, index: number): ReferenceCase {
  const at = `cases[${index}]`;
  const c = r.obj(raw, at);
  if (typeof c.cell !== 'string' || c.cell.length === 0) r.fail(`${at}.cell`, `expected a cell name, got ${JSON.stringify(c.cell)}`);
  if (c.formula !== undefined && typeof c.formula !== 'string') r.fail(`${at}.formula`, 'expected a string');
  const [I, H, B, T, L] = (['input_size', 'hidden_size', 'batch', 'steps', 'layers'] as const).map((k) => r.positiveInt(c[k], `${at}.${k}`)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const params = r.tensors(c.params, `${at}.params`);
  if (Object.keys(params).length === 0) r.fail(`${at}.params`, 'no parameters');
  const bidirectional = r.flag(c.bidirectional, `${at}.bidirectional`);
  const batchFirst = r.flag(c.batch_first, `${at}.batch_first`);
  const dirs = bidirectional ? 2 : 1;
  const proj = c.proj_size === undefined ? undefined : r.positiveInt(c.proj_size, `${at}.proj_size`);
  const seq = (width: string): string => (batchFirst ? `[batch=${B}, steps=${T}, ${width}]` : `[steps=${T}, batch=${B}, ${width}]`);
  const isSeq = (shape: readonly number[]): boolean => shape.length === 3 && (batchFirst ? shape[0] === B && shape[1] === T : shape[0] === T && shape[1] === B);
  const inputs = r.tensors(c.inputs, `${at}.inputs`);
  if (!isSeq(r.need(inputs, 'x', `${at}.inputs`).shape) || inputs.x!.shape[2] !== I)
    r.fail(`${at}.inputs.x`, `expected shape ${seq(`input=${I}`)}, got ${formatShape(inputs.x!.shape)}`);
  let lengths: number[] | undefined;
  if (c.lengths !== undefined || inputs.lengths !== undefined) {
    if (!Array.isArray(c.lengths)) r.fail(`${at}.lengths`, `expected an array of ${B} sequence lengths, got ${kind(c.lengths)}`);
    const fromInputs = r.need(inputs, 'lengths', `${at}.inputs`, [B]);
    lengths = c.lengths.map((v: unknown, b: number) => {
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > T)
        r.fail(`${at}.lengths[${b}]`, `expected an integer in 1..${T} (steps), got ${JSON.stringify(v)}`);
      if (fromInputs.data[b] !== v) r.fail(`${at}.inputs.lengths`, `differs from field 'lengths' at index ${b}`);
      return v as number;
    });
    if (lengths.length !== B) r.fail(`${at}.lengths`, `expected ${B} lengths (batch), got ${lengths.length}`);
  }
  const stateInputs = Object.keys(inputs).filter((k) => k !== 'x' && k !== 'lengths');
  for (const k of stateInputs) {
    const t = inputs[k]!;
    if (!k.endsWith('0') || k.length < 2) r.fail(`${at}.inputs.${k}`, `an initial state's name must be '<state>0' (like h0, c0)`);
    if (t.shape.length < 2 || t.shape[0] !== L * dirs || t.shape[1] !== B)
      r.fail(`${at}.inputs.${k}`, `expected shape [layers·directions=${L * dirs}, batch=${B}, ...], got ${formatShape(t.shape)}`);
  }
  if (stateInputs.length === 0) r.fail(`${at}.inputs`, 'no initial state (expected h0, and c0 for LSTMs)');
  const states = stateInputs.map((k) => k.slice(0, -1));
  const e = r.obj(c.expected, `${at}.expected`);
  const { loss: lossRaw, grads: gradsRaw, ...rest } = e;
  const tensors = r.tensors(rest, `${at}.expected`);
  const out = r.need(tensors, 'out', `${at}.expected`);
  if (!isSeq(out.shape)) r.fail(`${at}.expected.out`, `expected shape ${seq('output')}, got ${formatShape(out.shape)}`);
  for (const s of states) r.need(tensors, `${s}_T`, `${at}.expected`, inputs[`${s}0`]!.shape);
  let loss: number;
  if (typeof lossRaw === 'number' && Number.isFinite(lossRaw)) loss = lossRaw;
  else if (isObj(lossRaw)) {
    const t = r.tensor(lossRaw, `${at}.expected.loss`);
    if (t.data.length !== 1) r.fail(`${at}.expected.loss`, `expected a scalar, got shape ${formatShape(t.shape)}`);
    loss = t.data[0]!;
  } else r.fail(`${at}.expected.loss`, `expected a finite number, got ${kind(lossRaw)}`);
  const weights = r.tensors(c.loss_weights, `${at}.loss_weights`);
  r.need(weights, 'R_out', `${at}.loss_weights`, out.shape);
  for (const s of states) r.need(weights, `R_${s}`, `${at}.loss_weights`, inputs[`${s}0`]!.shape);
  const grads = r.tensors(gradsRaw, `${at}.expected.grads`);
  for (const [k, p] of Object.entries(params)) r.need(grads, k, `${at}.expected.grads`, p.shape);
  for (const [k, t] of Object.entries(inputs)) if (k !== 'lengths') r.need(grads, k, `${at}.expected.grads`, t.shape);
  return {
    source: `${r.source}, case ${index}`,
    cell: c.cell as string,
    ...(typeof c.formula === 'string' ? { formula: c.formula } : {}),
    input_size: I,
    hidden_size: H,
    batch: B,
    steps: T,
    layers: L,
    bidirectional,
    batch_first: batchFirst,
    ...(lengths ? { lengths } : {}),
    ...(proj !== undefined ? { proj_size: proj } : {}),
    params,
    inputs,
    loss_weights: weights,
    expected: { tensors, loss: loss!, grads },
  };
}

/**
 * Validate the parsed JSON of a reference file (`source` names it in errors; default `<object>`).
 * Reading a file by path is `loadReference` from `@cellgrad/cells/node`.
 * @example
 * const ref = parseReference(JSON.parse(text), { source: 'lstm.json' });
 * const report = checkReference(ref.cases[0]);
 */
export function parseReference(json: unknown, options: { readonly source?: string } = {}): ReferenceFile {
  const source = options.source ?? '<object>';
  const r: Reader = new Reader(source);
  const top = r.obj(json, '');
  const cases: unknown = top.cases;
  if (!Array.isArray(cases) || cases.length === 0) r.fail('cases', `expected a non-empty array of cases, got ${kind(cases)}`);
  for (const key of ['generator', 'loss'] as const) {
    if (top[key] !== undefined && typeof top[key] !== 'string') r.fail(key, `expected a string, got ${kind(top[key])}`);
  }
  return {
    source,
    ...(typeof top.generator === 'string' ? { generator: top.generator } : {}),
    ...(typeof top.loss === 'string' ? { loss: top.loss } : {}),
    cases: cases.map((c: unknown, i: number) => readCase(r, c, i)),
  };
}
