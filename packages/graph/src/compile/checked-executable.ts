/**
 * The compiled executor's non-finite debug mode (`compile(g, { checkFinite: true })`). Fused loops
 * keep intermediate values in registers, so a compiled plan cannot stop at the node that first went
 * non-finite; instead `checkedExecutable` runs the plan, and when an output holds NaN or ±Infinity it
 * replays the same feeds through the interpreter (in the plan's dtype, rounding each op as the plan
 * does) with `checkFinite`, which stops at the first culprit node. A non-finite intermediate that never reaches an output (masked by
 * `where`, say) is only caught by `interpret(g, feeds, { checkFinite: true })` itself.
 */
import type { Executable } from './executable.js';
import type { Graph } from '../ir/node.js';
import type { Feeds } from '../exec/feeds.js';
import { interpret, interpretAll, type Outputs } from '../exec/interpret.js';
import { checkFinite, firstNonFinite } from '../exec/finite.js';

/**
 * `exe` with a non-finite check on every run: same outputs when they are all finite, otherwise a
 * `NonFiniteError` (kind `'nonfinite'`) naming the first node, its op, cell and step, and its inputs' ranges.
 * Pass the graph `exe` was compiled from as `source` to have the culprit named in that graph (the
 * plan's own graph is optimised and renumbered); the plan's graph is replayed when the source stays finite.
 * @example
 * const exe = checkedExecutable(compile(g, { dtype: 'float32' }), g);
 * exe.run(feeds); // throws NonFiniteError at the first NaN
 */
export function checkedExecutable(exe: Executable, source?: Graph): Executable {
  const g = exe.graph;
  return {
    graph: g,
    dtype: exe.dtype,
    stats: exe.stats,
    source: () => exe.source(),
    profile: (feeds, runs) => exe.profile(feeds, runs),
    dispose: () => exe.dispose(),
    run(feeds: Feeds): Outputs {
      const out = exe.run(feeds);
      const bad = g.outputs.find((p) => firstNonFinite(out[p.name]!) >= 0);
      if (!bad) return out;
      // Locate the first culprit: the interpreter stops there (it throws), in the user's graph first.
      if (source) interpret(source, feeds, { dtype: exe.dtype, checkFinite: true });
      const { values } = interpretAll(g, feeds, { checkFinite: true });
      // The interpreter found every node finite but the plan did not: report the output itself.
      const node = g.nodes[bad.id]!;
      checkFinite(
        node,
        out[bad.name]!,
        node.inputs.map((i) => values[i]!),
      );
      return out;
    },
  };
}
