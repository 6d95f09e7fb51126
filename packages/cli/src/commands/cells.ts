/** `cellgrad cells`: the built-in cells, with their parameters (at the default sizes) and doc line. */
import type { Command } from 'commander';
import { formatShape } from '@cellgrad/graph';
import { builtinCells } from '@cellgrad/cells';
import { EXIT } from '../errors.js';
import { DEFAULT_SIZES } from '../options.js';
import { formatTable } from '../table.js';

const firstSentence = (doc: string | undefined): string => (doc ?? '').split(/(?<=\.)\s|\n/)[0]!.trim();

/** Run the command; returns the exit code. */
export function runCells(): number {
  const sizes = { input: DEFAULT_SIZES.input, hidden: DEFAULT_SIZES.hidden };
  const rows = Object.entries(builtinCells).map(([name, cell]) => {
    const states = Object.keys(cell.stateShapes(sizes)).join(', ');
    const params = Object.entries(cell.paramShapes(sizes))
      .map(([p, s]) => `${p}${formatShape(s)}`)
      .join(' ');
    return [name, states, params, firstSentence(cell.doc)];
  });
  process.stdout.write(`${formatTable(['cell', 'states', `params (input ${sizes.input}, hidden ${sizes.hidden})`, 'description'], rows)}\n`);
  return EXIT.ok;
}

/** Add the `cells` command to `program`. */
export function cellsCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('cells')
    .description('list the built-in cells')
    .action(() => setExit(runCells()));
}
