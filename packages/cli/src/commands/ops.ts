/** `cellgrad ops`: every registered op with its arity, whether it has a VJP, and its one-line doc. */
import type { Command } from 'commander';
import { listOps } from '@cellgrad/graph';
import { EXIT } from '../errors.js';
import { formatTable } from '../table.js';

/** Run the command; returns the exit code. */
export function runOps(): number {
  const rows = listOps().map((op) => [op.name, String(op.arity), op.vjp ? 'yes' : op.piecewiseConstant ? 'zero' : 'no', op.doc ?? '']);
  process.stdout.write(`${formatTable(['op', 'arity', 'vjp', 'description'], rows)}\n`);
  return EXIT.ok;
}

/** Add the `ops` command to `program`. */
export function opsCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('ops')
    .description('list the registered ops with their one-line docs')
    .action(() => setExit(runOps()));
}
