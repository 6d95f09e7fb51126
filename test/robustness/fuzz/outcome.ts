/**
 * The fuzzers' oracle. A case may end in exactly two ways: a typed CellgradError, or a result that a
 * second, independent evaluation confirms (the interpreter run twice, bit for bit; the compiled
 * executor within 1e-12 in float64 and 1e-5 in float32, relative to the larger of each output's scale
 * and the largest value the computation went through). Anything else (another exception, a
 * mismatch) throws a plain Error, failing the property. Outcomes are tallied for the report.
 */
import { CellgradError, compile, interpret, interpretAll, sizeOf, type Feeds, type Graph, type NDArray, type Outputs } from '@cellgrad/graph';

/** How one case ended. */
export type Outcome = `error:${string}` | 'ok' | 'ok:too-large-to-run';

/** Counts of outcomes, by property. */
export const tally = new Map<string, Map<Outcome, number>>();

/** Record an outcome of property `name`. */
export function count(name: string, o: Outcome): void {
  let m = tally.get(name);
  if (!m) tally.set(name, (m = new Map()));
  m.set(o, (m.get(o) ?? 0) + 1);
}

/** The table of outcomes, one line per property. */
export function tallyText(): string {
  const lines: string[] = [];
  for (const [name, m] of tally) {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    const parts = [...m.entries()].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`);
    lines.push(`${name}: ${total} cases (${parts.join(', ')})`);
  }
  return lines.join('\n');
}

/** Run `fn`; a CellgradError becomes its outcome, any other exception fails the case. */
export function typed<T>(fn: () => T): { value: T } | { error: CellgradError } {
  try {
    return { value: fn() };
  } catch (e) {
    // A crash that verify or the interpreter wrapped into a typed error is still a bug to report.
    if (e instanceof CellgradError && !/failed unexpectedly|kernel of \w+ failed/.test(e.message)) return { error: e };
    throw new Error(`a crash, not a deliberate CellgradError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  }
}

/**
 * max|a − b| / max(max|b|, floor, 1e-30) over outputs; NaN equals NaN, ±Infinity equals itself.
 * `floor` is the magnitude of the computation, for outputs that are small by cancellation.
 */
export function relativeError(a: Outputs, b: Outputs, floor = 0): number {
  let worst = 0;
  for (const name of Object.keys(b)) {
    const x = a[name]?.data;
    const y = b[name]!.data;
    if (!x || x.length !== y.length) return Infinity;
    let scale = 0;
    let err = 0;
    for (let i = 0; i < y.length; i++) {
      const u = x[i]!;
      const v = y[i]!;
      if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      if (Object.is(u, v) || (Number.isNaN(u) && Number.isNaN(v))) continue;
      if (!Number.isFinite(u) || !Number.isFinite(v)) return Infinity;
      err = Math.max(err, Math.abs(u - v));
    }
    worst = Math.max(worst, err / Math.max(scale, floor, 1e-30));
  }
  return worst;
}

const TOL = { float64: 1e-12, float32: 1e-5 } as const;

/** True when every output of `a` is bit-identical to `b`'s. */
export function bitIdentical(a: Outputs, b: Outputs): boolean {
  return Object.keys(b).every((k) => {
    const x = a[k]!.data;
    const y = b[k]!.data;
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i]) || (Number.isNaN(v) && Number.isNaN(y[i]!)));
  });
}

/** The largest finite |value| over every node's value. */
export function magnitude(values: readonly NDArray[]): number {
  let m = 0;
  for (const v of values) for (const x of v.data) if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
  return m;
}

/** Largest tensor the fuzzers execute (bigger loaded graphs are only validated). */
export const RUN_LIMIT = 20_000;

/**
 * Execute a loaded graph on `feeds` with the interpreter (twice) and the compiled executor, in
 * float64 and float32; returns the outcome or throws on a wrong number or an untyped exception.
 */
export function execute(g: Graph, feeds: Feeds): Outcome {
  if (g.nodes.some((n) => sizeOf(n.shape) > RUN_LIMIT)) return 'ok:too-large-to-run';
  for (const dtype of ['float64', 'float32'] as const) {
    const first = typed(() => interpret(g, feeds, { dtype }));
    if ('error' in first) {
      // The compiled path must refuse the same input too (with a typed error).
      const c = typed(() => compile(g, { dtype }).run(feeds));
      if (!('error' in c)) throw new Error(`interpret failed (${first.error.message}) but compile ran`);
      return `error:${first.error.kind}`;
    }
    const again = interpretAll(g, feeds, { dtype });
    if (!bitIdentical(again.outputs, first.value)) throw new Error(`${dtype}: two interpretations differ`);
    const compiled = typed(() => compile(g, { dtype }).run(feeds));
    if ('error' in compiled) throw new Error(`compile failed on a graph the interpreter ran: ${compiled.error.message}`);
    // Plans may round differently (fused, rewritten by the optimiser): errors are relative to the
    // largest value the computation went through, as an output that is small by cancellation (a
    // gradient that is 0 in exact arithmetic, say) carries the rounding of its large terms.
    const floor = magnitude(again.values);
    const err = relativeError(compiled.value, first.value, floor);
    if (!(err <= TOL[dtype])) throw new Error(`${dtype}: compiled differs from interpreted by ${err}`);
  }
  return 'ok';
}

/** FUZZ_RUNS, when set, replaces every fuzz property's number of runs. */
export function runs(n: number): number {
  const env = process.env.FUZZ_RUNS;
  return env !== undefined ? Number(env) : n;
}

/** Per-test timeout of the fuzz properties: vitest's default, or an hour when FUZZ_RUNS asks for more. */
export const FUZZ_TIMEOUT: number = process.env.FUZZ_RUNS !== undefined ? 3_600_000 : 60_000;
