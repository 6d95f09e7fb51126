/**
 * The tests that read Debian's data packages (`dataset-fashion-mnist`, `fortunes`). In CI (.ci/run
 * installs both) they always run and fail without the files; on a developer's machine without them
 * they are skipped with a visible note, so the README's test command works with Node and npm alone.
 */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

const FILES = ['/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz', '/usr/share/games/fortunes/fortunes'];

/** True when a data file is missing outside CI: the real-data tests are then skipped. */
export const realDataMissing = process.env.CI !== 'true' && FILES.some((f) => !existsSync(f));
if (realDataMissing) {
  console.warn(
    'real-data tests skipped: no Fashion-MNIST or fortunes files (apt-get install -y dataset-fashion-mnist fortunes to run them; CI always runs them)',
  );
}

/** `it` for a test that reads the installed data files. */
export const itWithData = it.skipIf(realDataMissing);
/** `describe` for a block whose tests read the installed data files. */
export const describeWithData = describe.skipIf(realDataMissing);
