/**
 * Text form of a graph with its time steps marked and repeated steps folded: one line per node
 * (`%7:f32[4,16] = matmul %3 %5`, shapes and dtypes included), a `# step t` header where a step
 * begins, and `# steps 3..97 same as step 2 (8 nodes each)` in place of steps that repeat.
 */
import { printNode, type Graph } from '@cellgrad/graph';
import { groupLabel, stepStructure, type StepGroup } from '../steps.js';

/** Options of `printFolded`. */
export interface PrintOptions {
  /** Fold steps that repeat the previous step (default true). */
  readonly fold?: boolean;
}

/** One maximal run of repeated steps of a lane: steps `from..to` each equal to step `from - 1`. */
interface FoldedRun {
  readonly groups: readonly StepGroup[];
}

function foldedRuns(lanes: ReadonlyMap<string, readonly StepGroup[]>, repeats: ReadonlySet<StepGroup>): Map<StepGroup, FoldedRun> {
  const runOf = new Map<StepGroup, FoldedRun>();
  for (const list of lanes.values()) {
    let current: { groups: StepGroup[] } | undefined;
    for (const group of list) {
      if (!repeats.has(group)) {
        current = undefined;
        continue;
      }
      if (!current) current = { groups: [] };
      current.groups.push(group);
      runOf.set(group, current);
    }
  }
  return runOf;
}

function runText(run: FoldedRun, layered: boolean): string {
  const first = run.groups[0]!;
  const last = run.groups[run.groups.length - 1]!;
  const steps = first === last ? `step ${first.step}` : `steps ${first.step}..${last.step}`;
  const ids = run.groups.flatMap((gr) => gr.ids);
  const lo = Math.min(...ids);
  const hi = Math.max(...ids);
  return `# ${groupLabel(first, steps, layered)} same as step ${first.step - 1} (${first.ids.length} nodes each, %${lo}..%${hi} folded)`;
}

/**
 * The graph as text, like `print` from @cellgrad/graph, plus a header line per time step and the
 * steps that repeat the previous one structurally folded into a single comment line. The first
 * and last step of every layer stay in full, so every id the output lines mention is printed.
 * @example
 * console.log(printFolded(unroll(lstm, { input: 3, hidden: 4, batch: 2, steps: 100 })));
 * // ... # steps 2..98 same as step 1 (20 nodes each, %11..%1992 folded) ...
 */
export function printFolded(g: Graph, options: PrintOptions = {}): string {
  const { groupOf, lanes, repeats } = stepStructure(g);
  const layered = new Set([...lanes.values()].map((l) => l[0]!.layer)).size > 1;
  const runs = options.fold === false ? new Map<StepGroup, FoldedRun>() : foldedRuns(lanes, repeats);
  const printedRuns = new Set<FoldedRun>();
  const lines: string[] = [];
  let lastGroup: StepGroup | undefined;
  for (const n of g.nodes) {
    const group = groupOf[n.id];
    const run = group && runs.get(group);
    if (run) {
      if (!printedRuns.has(run)) lines.push(runText(run, layered));
      printedRuns.add(run);
      lastGroup = group;
      continue;
    }
    if (group && group !== lastGroup) {
      const cell = n.scope?.cell ? ` (${n.scope.cell})` : '';
      lines.push(`# ${groupLabel(group, `step ${group.step}`, layered)}${cell}`);
    } else if (!group && lastGroup) {
      lines.push('# outside the time steps');
    }
    lastGroup = group;
    lines.push(printNode(n));
  }
  lines.push(`return ${g.outputs.map((p) => `${p.name}=%${p.id}`).join(', ')}`);
  return lines.join('\n');
}
