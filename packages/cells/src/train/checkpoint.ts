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
import { validateSnapshot } from './checkpoint-validate.js';

/**
 * Write `data` to `file` atomically; kept under its old name, it is `writeFileSafely` from
 * `@cellgrad/graph/io` (checked writes, fsync, rename, errors naming the file and the errno).
 */
export const writeFileAtomic = (file: string, data: string | Uint8Array): string => writeFileSafely(file, data);

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
    throw new CellgradError(
      'usage',
      `cannot read checkpoint ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CellgradError('usage', `checkpoint ${file} is not valid JSON (truncated or corrupted)`);
  }
  return validateSnapshot(data, `checkpoint ${file}`);
}
