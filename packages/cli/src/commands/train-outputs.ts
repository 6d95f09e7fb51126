/**
 * The files `cellgrad train` writes, claimed before training starts: `--checkpoint` and
 * `--report-data` must be different files and not the cell file; the checkpoint path is locked for
 * the whole run (a second trainer on it fails naming the first one's pid); an existing file at
 * `--checkpoint` is only continued (`--resume`) or replaced (`--force`), never silently overwritten.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { lockFile, type FileLock } from '@cellgrad/graph/io';
import { specFile } from '../cell-source.js';
import { usage } from '../errors.js';
import { checkOutputs, type LabelledPath } from '../output-paths.js';

/** The options of `train` that name files. */
export interface TrainOutputOptions {
  readonly cell: string;
  readonly checkpoint?: string;
  readonly reportData?: string;
  readonly resume?: boolean;
  readonly force?: boolean;
}

/** What an existing file at the checkpoint path is, for the refusal message. */
function describeExisting(file: string): string {
  try {
    const d = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; iteration?: unknown };
    if (d && d.format === 'cellgrad-train') return `a cellgrad checkpoint at iteration ${String(d.iteration)}`;
  } catch {
    // Not JSON: some other file.
  }
  return 'not a cellgrad checkpoint';
}

/**
 * Check the output paths, lock the checkpoint and refuse to replace an existing file that this run
 * does not resume. Returns the lock to release when the run ends (none without `--checkpoint`).
 */
export function claimTrainOutputs(o: TrainOutputOptions): FileLock | undefined {
  const outputs: LabelledPath[] = [];
  if (o.checkpoint) outputs.push(['--checkpoint', o.checkpoint], ['the lock file of --checkpoint', `${o.checkpoint}.lock`]);
  if (o.reportData) outputs.push(['--report-data', o.reportData]);
  const cellFile = specFile(o.cell);
  checkOutputs(outputs, cellFile !== undefined ? [['--cell', cellFile]] : []);
  if (!o.checkpoint) return undefined;
  const abs = path.resolve(o.checkpoint);
  const lock = lockFile(abs, `cellgrad train${o.resume ? ' --resume' : ''}`);
  try {
    let existing: 'file' | 'directory' | undefined;
    try {
      existing = statSync(abs).isDirectory() ? 'directory' : 'file';
    } catch {
      // Not there yet.
    }
    if (existing === 'directory') usage(`--checkpoint ${abs} is a directory; give the checkpoint file's path`);
    if (existing === 'file' && !o.resume && !o.force) {
      usage(`--checkpoint ${abs} already exists (${describeExisting(abs)}); continue that run with --resume, or replace the file with --force`);
    }
  } catch (e) {
    lock.release();
    throw e;
  }
  return lock;
}
