/**
 * The `cellgrad` command line: one commander program with a subcommand per file under
 * `commands/`. Commander's own errors (unknown option, bad value, missing argument) are turned into
 * exceptions so `main` reports them as one line with exit code 2; defaults show in `--help` as a
 * user would type them (help-defaults.ts).
 */
import { Command } from 'commander';
import { analyzeCommand } from './commands/analyze.js';
import { cellsCommand } from './commands/cells.js';
import { exportCommand } from './commands/export.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { opsCommand } from './commands/ops.js';
import { playgroundCommand } from './commands/playground.js';
import { printCommand } from './commands/print.js';
import { profileCommand } from './commands/profile.js';
import { referenceCommand } from './commands/reference.js';
import { reportCommand } from './commands/report.js';
import { saveCommand } from './commands/save.js';
import { trainCommand } from './commands/train.js';
import { flowCommand } from './commands/flow.js';
import { importCommand } from './commands/import.js';
import { onnxTestCommand } from './commands/onnx-test.js';
import { dynamicsCommand } from './commands/dynamics.js';
import { vizCommand } from './commands/viz.js';
import { weightsCommand } from './commands/weights.js';
import { describeDefaults } from './help-defaults.js';
import { initCommand } from './commands/init.js';
import { VERSION } from './version.js';

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
  importCommand(program, setExit);
  onnxTestCommand(program, setExit);
  vizCommand(program, setExit);
  reportCommand(program, setExit);
  weightsCommand(program, setExit);
  trainCommand(program, setExit);
  flowCommand(program, setExit);
  dynamicsCommand(program, setExit);
  profileCommand(program, setExit);
  initCommand(program, setExit);
  playgroundCommand(program, setExit);
  analyzeCommand(program, setExit);
  return describeDefaults(program);
}
