/**
 * Checkpoint files: a trainer snapshot as JSON, written atomically (a temporary file in the same
 * directory, fsync, rename over the target, fsync of the directory), so a crash or Ctrl-C never
 * leaves a half-written checkpoint; read back with validation and clear errors.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CellgradError } from '@cellgrad/graph';
import type { TrainerSnapshot } from './trainer.js';

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

/** Read and validate a checkpoint file; errors name the file and what is wrong. */
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
  const d = data as Partial<TrainerSnapshot>;
  const bad = (what: string): never => {
    throw new CellgradError('usage', `checkpoint ${file}: ${what}`);
  };
  if (typeof d !== 'object' || d === null || d.format !== 'cellgrad-train') bad(`not a cellgrad training checkpoint (format ${JSON.stringify(d?.format)})`);
  if (d.version !== 1) bad(`unsupported version ${JSON.stringify(d.version)} (expected 1)`);
  if (!Number.isInteger(d.iteration) || d.iteration! < 0) bad(`'iteration' must be a non-negative integer`);
  if (typeof d.fingerprint !== 'string') bad(`missing 'fingerprint'`);
  if (typeof d.params !== 'object' || d.params === null) bad(`missing 'params'`);
  for (const [p, v] of Object.entries(d.params!)) {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) bad(`parameter '${p}' is not an array of numbers`);
  }
  if (typeof d.optimizer !== 'object' || d.optimizer === null || typeof d.optimizer.kind !== 'string' || !Number.isInteger(d.optimizer.step)) bad(`missing or malformed optimizer state`);
  if (!Array.isArray(d.losses) || d.losses.length !== d.iteration) bad(`'losses' must hold one loss per iteration`);
  if (typeof d.seconds !== 'number') bad(`missing 'seconds'`);
  return d as TrainerSnapshot;
}
