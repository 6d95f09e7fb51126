/**
 * The cell argument and `--cell` option, the same on every command that works on a cell. A command
 * whose subject is a cell takes it as its argument or as `--cell` (`cellgrad gradcheck lstm` =
 * `cellgrad gradcheck --cell lstm`); `train` and `flow` take `--cell`. The spelling is always that of
 * `cell-source.ts`: `lstm`, `cells.ts` or `cells.ts:mgu`. Two older spellings still work, with a
 * note on stderr: `<file> --cell NAME` and `train/flow --cell FILE --pick NAME`, both meaning `FILE:NAME`.
 */
import type { Command } from 'commander';
import { parseCellSpec } from './cell-source.js';
import { usage } from './errors.js';

/** How to name a cell, for argument and option help. */
export const CELL_SPELLING = 'a built-in cell name (see `cellgrad cells`), a .ts/.js file exporting cells, or FILE:EXPORT for one of them';

/** The parsed cell options. */
export interface CellChoiceOptions {
  readonly cell?: string;
  /** Deprecated (train, flow): the cell of a file, now written `--cell FILE:NAME`. */
  readonly pick?: string;
}

/** The chosen cell: its spec, and the argument or option it came from (for messages). */
export interface CellChoice {
  readonly spec: string;
  readonly from: string;
}

/**
 * Add the optional cell argument `[argName]` and the option `--cell <cell>` (the same thing, for
 * scripts that prefer options). `alsoGraph` adds that a graph .json is accepted too.
 */
export function addCellArgument(cmd: Command, argName: string, alsoGraph = false): Command {
  const what = `the cell: ${CELL_SPELLING}${alsoGraph ? '; or a graph .json written by `cellgrad save`' : ''}`;
  return cmd
    .argument(`[${argName}]`, what)
    .option('--cell <cell>', `the cell, as an option instead of the argument (after a file argument, a cell name: deprecated, write FILE:NAME)`);
}

/** Add `--cell <cell>` (required) and the deprecated `--pick <name>`, for commands without a cell argument. */
export function addCellOption(cmd: Command): Command {
  return cmd
    .requiredOption('--cell <cell>', `the cell: ${CELL_SPELLING}`)
    .option('--pick <name>', 'deprecated: the cell of a --cell file, now written --cell FILE:NAME');
}

const deprecated = (old: string, now: string): void => {
  process.stderr.write(`cellgrad: note: ${old} is deprecated; write ${now}\n`);
};

/** `file` + a cell name, when `file` names a whole file and `name` is a plain name; else undefined. */
function pickFrom(file: string, name: string): string | undefined {
  const s = parseCellSpec(file);
  return s.kind === 'file' && s.pick === undefined && /^[A-Za-z_$][\w$]*$/.test(name) ? `${file}:${name}` : undefined;
}

/**
 * The cell a command was given: its argument (`argLabel`, e.g. `<cell>`) or `--cell`, with the
 * deprecated spellings turned into `FILE:NAME`. Undefined when neither is given and `required` is false.
 */
export function chosenCell(arg: string | undefined, o: CellChoiceOptions, argLabel: string, required?: true): CellChoice;
export function chosenCell(arg: string | undefined, o: CellChoiceOptions, argLabel: string, required: boolean): CellChoice | undefined;
export function chosenCell(arg: string | undefined, o: CellChoiceOptions, argLabel: string, required = true): CellChoice | undefined {
  if (o.pick !== undefined) {
    if (o.cell === undefined) usage('--pick needs --cell FILE (better: --cell FILE:NAME)');
    const spec = pickFrom(o.cell, o.pick);
    if (spec === undefined) usage(`--pick ${o.pick}: --cell ${o.cell} is not a file of several cells; write --cell FILE:NAME`);
    deprecated(`--cell FILE --pick NAME`, `--cell ${spec}`);
    return { spec, from: '--cell' };
  }
  if (arg !== undefined && o.cell !== undefined) {
    const spec = pickFrom(arg, o.cell);
    if (spec === undefined) usage(`the cell is given twice, as ${argLabel} '${arg}' and as --cell '${o.cell}'; give it once`);
    deprecated(`${argLabel} FILE --cell NAME`, spec);
    return { spec, from: argLabel };
  }
  if (arg !== undefined) return { spec: arg, from: argLabel };
  if (o.cell !== undefined) return { spec: o.cell, from: '--cell' };
  if (required) usage(`no cell: give ${argLabel} or --cell (${CELL_SPELLING})`);
  return undefined;
}
