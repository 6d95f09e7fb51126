/**
 * The optimisation pipeline: ONE explicit array of passes, run in order, the whole array repeated
 * until a round changes nothing (a fixed point), and a traced variant returning every pass's output
 * so a graph can be shown before and after each pass.
 */
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { batchGates } from './batch-gates.js';
import { foldConstants } from './constant-fold.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dce.js';
import { hoistInputProjections } from './hoist-time.js';
import { optimizeLoopBodies } from './loop-bodies.js';
import { sameStructure } from './rebuild.js';
import { simplify } from './simplify.js';
import { stabilize } from './stabilize.js';
import { batchSumOfProducts } from './sum-products.js';

/** A named pass. */
export interface PassEntry {
  readonly name: string;
  /** One line: what it does. */
  readonly comment: string;
  /** The pass: a pure function from graph to graph. */
  readonly run: (g: Graph) => Graph;
}

/**
 * The default pipeline, in order. Clean-up first (so later passes see canonical graphs), then
 * stabilisation, then the time passes: hoisting before batching, because the hoisted products of
 * separate gate matrices share their left operand and batch into one.
 */
export const PIPELINE: readonly PassEntry[] = Object.freeze([
  { name: 'dce', comment: 'drop nodes no output needs', run: eliminateDeadCode },
  { name: 'cse', comment: 'merge equal computations (commutative operands ordered, uniform constants as fills)', run: eliminateCommonSubexpressions },
  { name: 'fold', comment: 'compute nodes whose inputs are all constants', run: (g: Graph) => foldConstants(g) },
  { name: 'simplify', comment: 'algebraic identities and slice/concat/pad rules (exact; finite-only rules off)', run: (g: Graph) => simplify(g) },
  { name: 'stabilize', comment: 'stable forms: log∘sigmoid, log(1−sigmoid), log∘softmax, softplus, log∘exp', run: stabilize },
  { name: 'hoist-time', comment: 'per-step input projections x[t]·W → one matmul over all steps', run: hoistInputProjections },
  { name: 'sum-products', comment: 'Σ A_k·B_k → one matmul of concatenations (BPTT weight gradients)', run: batchSumOfProducts },
  { name: 'batch-gates', comment: 'matmuls sharing an operand → one matmul and slices', run: batchGates },
  {
    name: 'loops',
    comment: 'optimise each loop body with this pipeline and move its loop-invariant work out of the loop',
    run: (g: Graph) => optimizeLoopBodies(g, (body) => optimize(body)),
  },
  {
    name: 'simplify',
    comment: 'again: tidy what hoisting and batching left (stacked steps, transposes), so the next round is a check',
    run: (g: Graph) => simplify(g),
  },
]);

/** Options of `optimize`. */
export interface OptimizeOptions {
  /** The passes to run, in order: entries or names of `PIPELINE` entries. Default: `PIPELINE`. */
  readonly passes?: readonly (PassEntry | string)[];
  /** Most rounds over the whole list before stopping (default 6). */
  readonly maxRounds?: number;
}

/** One pass application in a trace. */
export interface TraceStep {
  /** Round (0-based) of the fixed-point iteration. */
  readonly round: number;
  /** The pass's name. */
  readonly pass: string;
  /** The graph the pass returned. */
  readonly graph: Graph;
  /** Whether the pass changed the graph's structure. */
  readonly changed: boolean;
}

/** What `optimizeWithTrace` returns. */
export interface OptimizeTrace {
  /** The graph given. */
  readonly input: Graph;
  /** The optimised graph (the last step's graph, or the input when no pass ran). */
  readonly graph: Graph;
  /** Every pass application, in order. */
  readonly steps: readonly TraceStep[];
  /** Rounds run; the last round changed nothing unless `maxRounds` was reached. */
  readonly rounds: number;
  /** True when the result is a fixed point of the pass list. */
  readonly converged: boolean;
}

function resolvePasses(passes: readonly (PassEntry | string)[]): PassEntry[] {
  return passes.map((p) => {
    if (typeof p !== 'string') return p;
    const entry = PIPELINE.find((e) => e.name === p);
    if (!entry) fail('usage', `optimize: unknown pass '${p}' (known passes: ${PIPELINE.map((e) => e.name).join(', ')})`);
    return entry;
  });
}

/**
 * Run the passes in order, repeating the whole list until a round changes nothing, and return every
 * pass's output graph.
 * @example
 * const { steps } = optimizeWithTrace(g);
 * for (const s of steps) if (s.changed) console.log(`-- after ${s.pass} (round ${s.round})\n${print(s.graph)}`);
 */
export function optimizeWithTrace(g: Graph, options: OptimizeOptions = {}): OptimizeTrace {
  const passes = resolvePasses(options.passes ?? PIPELINE);
  const maxRounds = options.maxRounds ?? 6;
  const steps: TraceStep[] = [];
  let graph = g;
  let rounds = 0;
  let converged = passes.length === 0;
  while (!converged && rounds < maxRounds) {
    let changed = false;
    for (const pass of passes) {
      const next = pass.run(graph);
      const passChanged = !sameStructure(next, graph);
      steps.push({ round: rounds, pass: pass.name, graph: next, changed: passChanged });
      changed ||= passChanged;
      graph = next;
    }
    rounds++;
    converged = !changed;
  }
  return { input: g, graph, steps, rounds, converged };
}

/**
 * Optimise `g`: the passes of `PIPELINE` (or `options.passes`) to a fixed point. Pure: returns a new
 * frozen graph computing the same outputs.
 * @example
 * const fast = optimize(grad(lossGraph));
 */
export function optimize(g: Graph, options: OptimizeOptions = {}): Graph {
  return optimizeWithTrace(g, options).graph;
}
