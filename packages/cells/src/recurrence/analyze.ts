/**
 * `analyzeRecurrence(cell)`: which of a cell's work lies on the recurrence and which does not. It
 * traces one step (`stepGraph`), links each state's next value back to its input, and splits the
 * nodes with graph's `analyzeStep` (Tarjan's components and reachability on a graphlib graph):
 * - **core**: on a cycle through a state (what must run step after step);
 * - **time-parallel**: reads the input x but no state (computable for all T·B rows at once);
 * - **readout**: reads a state but is on no cycle (e.g. an output head o ⊙ tanh(c));
 * - **invariant**: reads neither (parameters and e.g. their transposes).
 * A state is *linear* when its next value is a ⊙ h + b with a, b time-parallel or invariant.
 */
import { analyzeStep, printNode, type Graph, type LinearTerm, type RecurrenceRole, type StepRecurrence } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import { nextName, stepGraph } from './step-graph.js';

/** One node of the step, for reports: id, op and its line as `print` writes it. */
export interface AnalyzedNode {
  readonly id: number;
  readonly op: string;
  readonly text: string;
}

/** A state's linear form as text: a and b as sums of products of step-graph nodes (`%12 ⊙ %7`). */
export interface LinearStateText {
  readonly a: string;
  readonly b: string;
}

/** What `analyzeRecurrence` returns. */
export interface RecurrenceAnalysis {
  readonly cell: string;
  readonly sizes: CellSizes;
  /** The traced step (`stepGraph`), whose node ids the lists use. */
  readonly graph: Graph;
  /** The graph-level analysis (roles by id, per-state linear forms). */
  readonly step: StepRecurrence;
  /** Nodes by role (parameters and the state/step inputs included: inputs are nodes too). */
  readonly core: readonly AnalyzedNode[];
  readonly timeParallel: readonly AnalyzedNode[];
  readonly readout: readonly AnalyzedNode[];
  readonly invariant: readonly AnalyzedNode[];
  /** True when every state is a linear recurrence (the cell can run as scans). */
  readonly linear: boolean;
  /** Per state: linear (with a and b) or the reason it is not. */
  readonly states: readonly { readonly name: string; readonly linear: LinearStateText | undefined; readonly reason: string | undefined }[];
}

const termText = (t: LinearTerm, first: boolean): string => {
  const body = t.factors.length === 0 ? '1' : t.factors.map((f) => `%${f}`).join(' ⊙ ');
  if (first) return t.sign === 1 ? body : `−${body}`;
  return `${t.sign === 1 ? ' + ' : ' − '}${body}`;
};

/** A sum of signed products as text (`0` when empty). */
export function sumText(terms: readonly LinearTerm[]): string {
  return terms.length === 0 ? '0' : terms.map((t, i) => termText(t, i === 0)).join('');
}

/**
 * Analyse the recurrence of `cell` (sizes default to input 3, hidden 4; the split does not depend
 * on them for cells whose structure does not).
 * @example
 * const r = analyzeRecurrence(getBuiltinCell('mingru'));
 * r.linear;                       // true: h' = (1 − z) ⊙ h + z ⊙ h̃
 * r.core.map((n) => n.op);        // the state input and the few ops that combine it
 * analyzeRecurrence(getBuiltinCell('lstm')).linear; // false: the gates read h
 */
export function analyzeRecurrence(cell: Cell, sizes: CellSizes = { input: 3, hidden: 4 }): RecurrenceAnalysis {
  const graph = stepGraph(cell, sizes);
  const names = Object.keys(cell.stateShapes(sizes));
  const step = analyzeStep(
    graph,
    names.map((s) => ({ name: s, input: s, output: nextName(s) })),
    ['x'],
  );
  const list = (role: RecurrenceRole): AnalyzedNode[] =>
    graph.nodes.filter((n) => step.roles[n.id] === role).map((n) => ({ id: n.id, op: n.op, text: printNode(n) }));
  return {
    cell: cell.name,
    sizes,
    graph,
    step,
    core: list('core'),
    timeParallel: list('time-parallel'),
    readout: list('readout'),
    invariant: list('invariant'),
    linear: step.linear,
    states: step.states.map((s) => ({
      name: s.name,
      linear: s.linear ? { a: sumText(s.linear.a), b: sumText(s.linear.b) } : undefined,
      reason: s.reason,
    })),
  };
}

/** The analysis as text: one section per role, then each state's verdict. */
export function formatRecurrence(r: RecurrenceAnalysis): string {
  const section = (title: string, nodes: readonly AnalyzedNode[]) =>
    `${title} (${nodes.length} node${nodes.length === 1 ? '' : 's'}):\n${nodes.map((n) => `  ${n.text}`).join('\n') || '  (none)'}`;
  const verdicts = r.states.map((s) =>
    s.linear
      ? `state ${s.name}: linear, ${s.name}' = a ⊙ ${s.name} + b with a = ${s.linear.a}, b = ${s.linear.b}`
      : `state ${s.name}: not linear (${s.reason})`,
  );
  return [
    `recurrence of cell '${r.cell}' (input ${r.sizes.input}, hidden ${r.sizes.hidden})`,
    section('recurrent core: on a cycle through a state', r.core),
    section('time-parallel: reads x, no state', r.timeParallel),
    section('readout: reads a state, on no cycle', r.readout),
    section('invariant: parameters and what they alone compute', r.invariant),
    ...verdicts,
    r.linear ? 'the whole recurrence is linear: it runs as a scan' : 'the recurrence is not linear: it runs step by step',
  ].join('\n');
}
