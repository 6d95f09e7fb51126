/**
 * One state of a linear recurrence (h' = a ⊙ h + b) run in log space (`unroll`'s `scanForm: 'log'`):
 * log a and log b are built from the step's own nodes, replayed over all T·B rows, then
 * h = exp(log_linear_scan(log a, log b, h0)). Each coefficient must be one product of factors
 * known to be positive; the log of a factor is taken where it is exact rather than by rounding the
 * factor first: log σ(u) = −softplus(−u), log(1 − σ(u)) = −softplus(u), log eᵘ = u, products and
 * quotients as sums and differences of logs; any other positive factor (softplus(u), a sum of
 * positive and non-negative values, a positive constant) as log of its value. Anything else is a
 * `usage` error naming the node, since log of a value that may be ≤ 0 would be a silent NaN.
 */
import { CellgradError, ops, type Graph, type LinearForm, type LinearTerm, type Node, type Tensor } from '@cellgrad/graph';

/** What `logScanState` needs: the step graph, its replayed values, the state's linear form. */
export interface LogScanStateArgs {
  readonly graph: Graph;
  /** Step-graph node id → its value over all T·B rows. */
  readonly env: ReadonlyMap<number, Tensor>;
  readonly form: LinearForm;
  readonly state: string;
  readonly cell: string;
  /** One step's shape over T·B rows, [T·B, ...state], and the scan's, [T, B, ...state]. */
  readonly rowShape: readonly number[];
  readonly step: readonly number[];
  /** The state's initial value [B, ...state]; must be ≥ 0 when run. */
  readonly h0: Tensor;
}

/** The single value of a constant node (fill, or a constant whose elements are all equal), else undefined. */
function constantOf(node: Node): number | undefined {
  if (node.op === 'fill') return node.attrs.value as number;
  if (node.op === 'constant') {
    const data = node.attrs.data as number[];
    return data.every((v) => v === data[0]) ? data[0] : undefined;
  }
  return undefined;
}

/** Whether 1 − σ(u) is what node `id` computes: sub(1, sigmoid(u)). */
function oneMinusSigmoid(g: Graph, node: Node): boolean {
  return node.op === 'sub' && constantOf(g.nodes[node.inputs[0]!]!) === 1 && g.nodes[node.inputs[1]!]!.op === 'sigmoid';
}

/** Whether node `id` is > 0 everywhere (`strict`) or ≥ 0, by what computes it. */
function signKnown(g: Graph, id: number, strict: boolean): boolean {
  const node = g.nodes[id]!;
  const [x, y] = node.inputs;
  switch (node.op) {
    case 'sigmoid':
    case 'exp':
    case 'softplus':
      return true;
    case 'relu':
    case 'abs':
    case 'square':
      return !strict;
    case 'fill':
    case 'constant': {
      const data = node.op === 'fill' ? [node.attrs.value as number] : (node.attrs.data as number[]);
      return data.every((v) => (strict ? v > 0 : v >= 0));
    }
    case 'sub':
      return oneMinusSigmoid(g, node);
    case 'mul':
    case 'div':
      return signKnown(g, x!, strict) && signKnown(g, y!, strict);
    case 'add':
      return strict
        ? (signKnown(g, x!, true) && signKnown(g, y!, false)) || (signKnown(g, x!, false) && signKnown(g, y!, true))
        : signKnown(g, x!, false) && signKnown(g, y!, false);
    default:
      return false;
  }
}

/** log of node `id`'s value, exact where a form exists; or why it cannot be taken. */
function logOf(g: Graph, env: ReadonlyMap<number, Tensor>, id: number): Tensor | string {
  const node = g.nodes[id]!;
  const value = (i: number) => env.get(i)!;
  const [x, y] = node.inputs;
  if (node.op === 'sigmoid') return ops.softplus(value(x!).neg()).neg();
  if (node.op === 'exp') return value(x!);
  if (oneMinusSigmoid(g, node)) return ops.softplus(value(g.nodes[y!]!.inputs[0]!)).neg();
  if (node.op === 'mul' || node.op === 'div') {
    const lx = logOf(g, env, x!);
    if (typeof lx === 'string') return lx;
    const ly = logOf(g, env, y!);
    if (typeof ly === 'string') return ly;
    return node.op === 'mul' ? lx.add(ly) : lx.sub(ly);
  }
  if (signKnown(g, id, true)) return value(id).log();
  return `%${id} = ${node.op} is not known to be positive`;
}

/** log of Σ terms when it is one positive product; or why not. */
function logOfTerms(g: Graph, env: ReadonlyMap<number, Tensor>, terms: readonly LinearTerm[]): Tensor | string {
  if (terms.length !== 1) return terms.length === 0 ? 'it is 0' : `it is a sum of ${terms.length} terms`;
  const [term] = terms;
  if (term!.sign !== 1) return 'it is negated';
  if (term!.factors.length === 0) return 'it is 1 (no factor)';
  let total: Tensor | undefined;
  for (const f of term!.factors) {
    const l = logOf(g, env, f);
    if (typeof l === 'string') return l;
    total = total ? total.add(l) : l;
  }
  return total!;
}

/**
 * h over all steps [T, B, ...state] for one state, as exp(log_linear_scan(log a, log b, h0)).
 * @example
 * const hs = logScanState({ graph, env, form, state: 'h', cell: 'mingru_log', rowShape: [T * B, H], step: [T, B, H], h0 });
 */
export function logScanState(a: LogScanStateArgs): Tensor {
  const logs = (['a', 'b'] as const).map((k) => {
    const l = logOfTerms(a.graph, a.env, a.form[k]);
    if (typeof l === 'string') {
      throw new CellgradError(
        'usage',
        `unroll(cell '${a.cell}'): scanForm 'log' needs state '${a.state}' to be h' = a ⊙ h + b with a and b products of positive factors, ` +
          `but its ${k}: ${l} (use scanForm 'direct')`,
      );
    }
    const full = l.shape.length === a.rowShape.length && l.shape.every((d, i) => d === a.rowShape[i]) ? l : ops.broadcastTo(l, { shape: [...a.rowShape] });
    return full.reshape([...a.step]);
  });
  return ops.logLinearScan(logs[0]!, logs[1]!, a.h0).exp();
}
