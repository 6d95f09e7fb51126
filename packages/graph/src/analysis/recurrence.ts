/**
 * Recurrence analysis of one step of a recurrent computation. The step is a `Graph` whose inputs
 * include the states and whose outputs include their next values; adding an edge from each next
 * value back to its state input gives the *rolled* dependence graph, a graphlib `Graph` with cycles.
 * Tarjan's strongly connected components find the **recurrent core** (every node on a cycle through
 * a state); reachability from the states (graphlib's `preorder`) separates the **time-parallel** work
 * (reached by no state, so computable for all time steps at once) from the **readout** (reads a state
 * but lies on no cycle: an output head, or a value carried from one state's cycle into another's).
 * Nodes reached by neither the step input nor a state are **invariant** (parameters and what is
 * computed from them alone, such as `W.T`). `linearForm` then asks, per state, whether the core is
 * h' = a ⊙ h + b with a and b time-parallel (`linear.ts`).
 */
import { alg, Graph as Digraph } from '@dagrejs/graphlib';
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { linearForm, type LinearForm } from './linear.js';

/** The role of a node of a step: see the file header. */
export type RecurrenceRole = 'invariant' | 'time-parallel' | 'core' | 'readout';

/** A state of the step: the input carrying its previous value and the output carrying its next one. */
export interface StateLink {
  /** The state's name (for messages and reports). */
  readonly name: string;
  /** The graph input holding the previous value. */
  readonly input: string;
  /** The graph output holding the next value. */
  readonly output: string;
}

/** What the analysis says about one state. */
export interface StateRecurrence {
  readonly name: string;
  /** Node id of the state's input and of its next value. */
  readonly inputId: number;
  readonly outputId: number;
  /** h' = a ⊙ h + b with a, b time-parallel (see `LinearForm`), or undefined when not linear. */
  readonly linear: LinearForm | undefined;
  /** Why the state is not linear (the first node that breaks the form), when it is not. */
  readonly reason: string | undefined;
}

/** The split of a step graph. Node lists are ids of the step graph, in topological order. */
export interface StepRecurrence {
  /** The role of every node, by id. */
  readonly roles: readonly RecurrenceRole[];
  readonly core: readonly number[];
  readonly timeParallel: readonly number[];
  readonly readout: readonly number[];
  readonly invariant: readonly number[];
  /** Per state. */
  readonly states: readonly StateRecurrence[];
  /** True when every state's next value is linear in it (so the whole recurrence can run as scans). */
  readonly linear: boolean;
}

/**
 * The rolled dependence graph of a step as a graphlib directed graph: one vertex per node (named by
 * its id), an edge from each input of a node to the node, and an edge from each state's next value
 * back to its state input.
 */
export function rolledGraph(g: Graph, states: readonly StateLink[]): Digraph {
  const d = new Digraph({ directed: true });
  for (const n of g.nodes) {
    d.setNode(String(n.id));
    for (const i of n.inputs) d.setEdge(String(i), String(n.id));
  }
  for (const s of resolveStates(g, states)) d.setEdge(String(s.outputId), String(s.inputId));
  return d;
}

function resolveStates(g: Graph, states: readonly StateLink[]): { name: string; inputId: number; outputId: number }[] {
  return states.map((s) => {
    const input = g.inputs.find((p) => p.name === s.input);
    const output = g.outputs.find((p) => p.name === s.output);
    if (!input)
      fail('graph', `analyzeStep: state '${s.name}' names input '${s.input}', which the graph does not have (${g.inputs.map((p) => p.name).join(', ')})`);
    if (!output)
      fail('graph', `analyzeStep: state '${s.name}' names output '${s.output}', which the graph does not have (${g.outputs.map((p) => p.name).join(', ')})`);
    return { name: s.name, inputId: input.id, outputId: output.id };
  });
}

/**
 * Split a step graph into recurrent core, time-parallel work, readout and invariant nodes, and find
 * which states are linear recurrences. `stepInputs` names the inputs that vary with time but not
 * through a state (the step's `x`); other inputs that are not states are invariant (parameters).
 * @example
 * const r = analyzeStep(stepGraph, [{ name: 'h', input: 'h', output: 'h_next' }], ['x']);
 * r.core;    // ids of the nodes on a cycle through h
 * r.linear;  // h_next = a ⊙ h + b with a, b computed from x alone
 */
export function analyzeStep(g: Graph, states: readonly StateLink[], stepInputs: readonly string[]): StepRecurrence {
  const links = resolveStates(g, states);
  const d = rolledGraph(g, states);
  const onCycle = new Set<number>();
  for (const scc of alg.tarjan(d)) {
    const ids = scc.map(Number);
    if (ids.length > 1 || d.hasEdge(scc[0]!, scc[0]!)) for (const id of ids) onCycle.add(id);
  }
  const fromStates = new Set(
    alg
      .preorder(
        d,
        links.map((s) => String(s.inputId)),
      )
      .map(Number),
  );
  const stepIds = stepInputs.map((name) => {
    const p = g.inputs.find((q) => q.name === name);
    if (!p) fail('graph', `analyzeStep: step input '${name}' is not an input of the graph (${g.inputs.map((q) => q.name).join(', ')})`);
    return String(p.id);
  });
  const fromStep = new Set(stepIds.length ? alg.preorder(d, stepIds).map(Number) : []);
  const roles: RecurrenceRole[] = g.nodes.map((n) => {
    if (onCycle.has(n.id)) return 'core';
    if (fromStates.has(n.id)) return 'readout';
    return fromStep.has(n.id) ? 'time-parallel' : 'invariant';
  });
  const byRole = (r: RecurrenceRole) => g.nodes.filter((n) => roles[n.id] === r).map((n) => n.id);
  const stateResults: StateRecurrence[] = links.map((s) => {
    const form = linearForm(g, s.outputId, s.inputId, fromStates);
    return { ...s, linear: form.ok ? form.form : undefined, reason: form.ok ? undefined : form.reason };
  });
  return {
    roles,
    core: byRole('core'),
    timeParallel: byRole('time-parallel'),
    readout: byRole('readout'),
    invariant: byRole('invariant'),
    states: stateResults,
    linear: stateResults.every((s) => s.linear !== undefined),
  };
}
