/**
 * Checkpoint files: a trainer snapshot as JSON, written atomically by `writeFileSafely` (a temporary
 * file in the same directory, every byte checked, fsync, rename over the target, fsync of the
 * directory), so a crash, Ctrl-C or a full disk never leaves a half-written checkpoint; read back
 * with validation and clear errors.
 */
import { readFileSync } from 'node:fs';
import { CellgradError } from '@cellgrad/graph';
import { writeFileSafely } from '@cellgrad/graph/io';
import type { TrainerSnapshot } from './trainer.js';

/**
 * Write `data` to `file` atomically; kept under its old name, it is `writeFileSafely` from
 * `@cellgrad/graph/io` (checked writes, fsync, rename, errors naming the file and the errno).
 */
export const writeFileAtomic = (file: string, data: string | Uint8Array): string => writeFileSafely(file, data);

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
