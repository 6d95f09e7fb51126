/**
 * What `cellgrad dynamics` analyses: a cell at its seeded initialisation (sizes from the options),
 * or the parameters of a training checkpoint (given as the argument or as `--checkpoint`). The
 * checkpoint's fingerprint names the cell, the hidden size and the layers it was trained with; the
 * input size is the one its parameters fit. A checkpoint of another cell, or sizes that contradict
 * it, is one usage error naming both.
 */
import type { Command } from 'commander';
import { checkDynamicsParams, getBuiltinCell, initParams, paramInputName, type Cell, type DynamicsSizes } from '@cellgrad/cells';
import { loadCheckpoint } from '@cellgrad/cells/node';
import { sizeOf, type NDArray } from '@cellgrad/graph';
import { resolveOneCell } from '../cell-source.js';
import { usage } from '../errors.js';

/** The options the source reads. */
export interface DynamicsSourceOptions {
  readonly checkpoint?: string;
  readonly input: number;
  readonly hidden: number;
  readonly layers: number;
  readonly seed: number;
}

/** A cell with its sizes and parameters. */
export interface DynamicsSource {
  readonly label: string;
  readonly cell: Cell;
  readonly sizes: DynamicsSizes;
  readonly params: Record<string, NDArray>;
  /** The checkpoint read, with its iteration and task. */
  readonly checkpoint?: { readonly file: string; readonly iteration: number; readonly task?: string };
}

/** The training configuration a checkpoint's fingerprint records (the fields used here). */
interface Fingerprint {
  readonly cell: string;
  readonly task?: string;
  readonly hidden: number;
  readonly layers?: number;
  readonly bidirectional?: boolean;
}

function readFingerprint(text: string, file: string): Fingerprint {
  let fp: unknown;
  try {
    fp = JSON.parse(text);
  } catch {
    return usage(`checkpoint ${file}: its fingerprint is not a training configuration`);
  }
  const f = fp as Partial<Fingerprint>;
  if (typeof f !== 'object' || f === null || typeof f.cell !== 'string' || typeof f.hidden !== 'number') {
    usage(`checkpoint ${file}: its fingerprint names no cell and hidden size`);
  }
  return f as Fingerprint;
}

/** The input size the checkpoint's first-layer parameters fit, or undefined. */
function fittingInput(cell: Cell, fp: Fingerprint, params: Readonly<Record<string, readonly number[]>>): number | undefined {
  const layers = fp.layers ?? 1;
  for (let input = 1; input <= 1 << 16; input++) {
    const shapes = cell.paramShapes({ input, hidden: fp.hidden });
    if (Object.entries(shapes).every(([p, shape]) => params[paramInputName(p, 0, layers)]?.length === sizeOf(shape))) return input;
  }
  return undefined;
}

/** A size option the user typed that contradicts the checkpoint. */
function contradicts(cmd: Command, o: DynamicsSourceOptions, key: 'input' | 'hidden' | 'layers', value: number, file: string): void {
  if (cmd.getOptionValueSource(key) === 'cli' && o[key] !== value) {
    usage(`--${key} ${o[key]} does not match checkpoint ${file}, which has ${key} ${value} (leave --${key} out)`);
  }
}

/**
 * Resolve the argument (`lstm`, `cells.ts:mgu`, or a checkpoint `run.json`) and `--checkpoint` to a
 * cell, its sizes and parameters.
 */
export async function dynamicsSource(target: string, o: DynamicsSourceOptions, cmd: Command): Promise<DynamicsSource> {
  const argIsCheckpoint = target.endsWith('.json');
  if (argIsCheckpoint && o.checkpoint !== undefined) usage(`give the checkpoint once: ${target} or --checkpoint ${o.checkpoint}`);
  const file = argIsCheckpoint ? target : o.checkpoint;
  if (file === undefined) {
    const { label, cell } = await resolveOneCell(target);
    const sizes = { input: o.input, hidden: o.hidden, layers: o.layers };
    return { label, cell, sizes, params: initParams(cell, sizes, { seed: o.seed, layers: o.layers }) };
  }
  const snap = loadCheckpoint(file);
  const fp = readFingerprint(snap.fingerprint, file);
  let label: string;
  let cell: Cell;
  if (argIsCheckpoint) {
    try {
      cell = getBuiltinCell(fp.cell);
    } catch {
      return usage(
        `checkpoint ${file} was trained with cell '${fp.cell}', which is not built in: name its file, e.g. cellgrad dynamics cells.ts:${fp.cell} --checkpoint ${file}`,
      );
    }
    label = cell.name;
  } else {
    ({ label, cell } = await resolveOneCell(target));
    if (cell.name !== fp.cell) usage(`checkpoint ${file} was trained with cell '${fp.cell}', not '${cell.name}'`);
  }
  if (fp.bidirectional) usage(`checkpoint ${file} is a bidirectional network, which is not a map of its state: dynamics needs one direction`);
  const layers = fp.layers ?? 1;
  const input = fittingInput(cell, fp, snap.params) ?? o.input;
  contradicts(cmd, o, 'hidden', fp.hidden, file);
  contradicts(cmd, o, 'layers', layers, file);
  contradicts(cmd, o, 'input', input, file);
  const sizes = { input, hidden: fp.hidden, layers };
  const params = checkDynamicsParams(cell, sizes, snap.params, `checkpoint ${file}`);
  return { label, cell, sizes, params, checkpoint: { file, iteration: snap.iteration, ...(fp.task !== undefined ? { task: fp.task } : {}) } };
}
