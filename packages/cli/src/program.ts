/**
 * The `cellgrad` command line: one commander program with a subcommand per file under
 * `commands/`. Commander's own errors (unknown option, bad value, missing argument) are turned into
 * exceptions so `main` reports them as one line with exit code 2; defaults show in `--help` as a
 * user would type them (help-defaults.ts).
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { analyzeCommand } from './commands/analyze.js';
import { cellsCommand } from './commands/cells.js';
import { exportCommand } from './commands/export.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { opsCommand } from './commands/ops.js';
import { printCommand } from './commands/print.js';
import { profileCommand } from './commands/profile.js';
import { referenceCommand } from './commands/reference.js';
import { reportCommand } from './commands/report.js';
import { saveCommand } from './commands/save.js';
import { trainCommand } from './commands/train.js';
import { flowCommand } from './commands/flow.js';
import { vizCommand } from './commands/viz.js';
import { weightsCommand } from './commands/weights.js';
import { describeDefaults } from './help-defaults.js';

/** The program's version: the cellgrad package's (package.json is one level up from src/ and dist/). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * Build the program. `setExit` receives each command's exit code. Subcommands inherit the error
 * handling (exitOverride, silent error output) because it is configured before they are added.
 */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('cellgrad')
    .description('cellgrad: recurrent cells as symbolic graphs — unroll, differentiate, gradient-check')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
  gradcheckCommand(program, setExit);
  referenceCommand(program, setExit);
  printCommand(program, setExit);
  saveCommand(program, setExit);
  opsCommand(program, setExit);
  cellsCommand(program, setExit);
  exportCommand(program, setExit);
  vizCommand(program, setExit);
  reportCommand(program, setExit);
  weightsCommand(program, setExit);
  trainCommand(program, setExit);
  flowCommand(program, setExit);
  profileCommand(program, setExit);
  analyzeCommand(program, setExit);
  return describeDefaults(program);
}
