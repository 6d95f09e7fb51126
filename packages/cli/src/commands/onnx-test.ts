/**
 * `cellgrad onnx-test <dir>`: run one ONNX backend test folder (model.onnx and test_data_set_*)
 * through the importer and the interpreter in float64 and float32, comparing with ONNX's backend-test
 * tolerances (rtol 1e-3, atol 1e-7). Exit 0 when every output matches, 1 on a mismatch, 2 when the
 * model cannot be imported (the reason on stderr).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, usage } from '../errors.js';
import { loadOnnxPackage } from '../onnx-package.js';
import { existsSync, statSync } from 'node:fs';

/** Parsed options of `onnx-test`. */
export interface OnnxTestCommandOptions {
  readonly json?: boolean;
}

/** Run the command; returns the exit code. */
export async function runOnnxTest(dir: string, o: OnnxTestCommandOptions): Promise<number> {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) usage(`no such test folder: ${abs}`);
  const { BACKEND_TEST_TOLERANCE, runBackendTest } = await loadOnnxPackage('cellgrad onnx-test');
  const r = runBackendTest(abs);
  if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  if (r.status === 'unsupported') {
    process.stderr.write(`cellgrad: ${r.name}: unsupported: ${r.reason}\n`);
    return EXIT.error;
  }
  if (!o.json) {
    const { rtol, atol } = BACKEND_TEST_TOLERANCE;
    process.stdout.write(`${r.name}: ${r.status} (rtol ${rtol}, atol ${atol})\n`);
    for (const c of r.checks) {
      const w = c.worst;
      const detail = c.ok ? '' : `  worst element ${w.index}: ${w.actual} vs ${w.expected}`;
      process.stdout.write(`  ${c.ok ? 'ok      ' : 'MISMATCH'} ${c.dataSet} ${c.dtype.padEnd(7)} ${c.output}${detail}\n`);
    }
  }
  return r.status === 'pass' ? EXIT.ok : EXIT.failed;
}

/** Add the `onnx-test` command to `program`. */
export function onnxTestCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('onnx-test')
    .description('run one ONNX backend test folder through the importer and the interpreter (float64 and float32); exit 1 on mismatch, 2 if unsupported')
    .argument('<dir>', 'the test folder (model.onnx and test_data_set_*)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, o: OnnxTestCommandOptions) => setExit(await runOnnxTest(dir, o)));
}
