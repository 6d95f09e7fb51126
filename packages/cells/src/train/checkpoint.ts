/**
 * Checkpoint files: a trainer snapshot as JSON, written atomically (a temporary file in the same
 * directory, fsync, rename over the target, fsync of the directory), so a crash or Ctrl-C never
 * leaves a half-written checkpoint; read back with validation and clear errors.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CellgradError } from '@cellgrad/graph';
import type { TrainerSnapshot } from './trainer.js';
import { validateSnapshot } from './checkpoint-validate.js';

/** Write `data` to `file` atomically: temp file, fsync, rename, directory fsync. */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  try {
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}

/** Save a trainer snapshot to `file` atomically. */
export function saveCheckpoint(file: string, snapshot: TrainerSnapshot): void {
  writeFileAtomic(file, `${JSON.stringify(snapshot)}\n`);
}

/**
 * Read and validate a checkpoint file (`validateSnapshot`: format, finite values, step counts);
 * errors name the file and the field. `Trainer.restore` then checks it against the configuration.
 */
export function loadCheckpoint(file: string): TrainerSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CellgradError('usage', `cannot read checkpoint ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CellgradError('usage', `checkpoint ${file} is not valid JSON (truncated or corrupted)`);
  }
  return validateSnapshot(data, `checkpoint ${file}`);
}
