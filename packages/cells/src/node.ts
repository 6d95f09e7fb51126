/**
 * @cellgrad/cells/node — the Node-only part of the cells package: everything that reads or writes
 * files. Checkpoints (`saveCheckpoint`, `loadCheckpoint`), weight files (`saveWeights`, `loadWeights`),
 * reference files (`loadReference`, `checkReferenceFile`), the data readers (IDX, Fashion-MNIST,
 * fortunes) and the tasks over real data, with the task registry (`TASKS`, `makeTask`) that lists
 * them beside the synthetic ones. The umbrella `cellgrad` re-exports all of it.
 */
export { saveCheckpoint, loadCheckpoint, writeFileAtomic } from './train/checkpoint.js';
export { saveWeights, loadWeights } from './weights/json.js';
export { loadReference } from './reference/load.js';
export { checkReferenceFile } from './reference/check-file.js';
export { fashionRowsTask, fashionPixelsTask, type FashionOptions } from './tasks/fashion.js';
export { fortunesCharsTask, bitsPerChar, unigramEntropy, type FortunesOptions } from './tasks/fortunes-chars.js';
export { parseIdx, readIdx, type IdxArray } from './data/idx.js';
export {
  loadFashionMnist,
  fashionMnistDir,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  type FashionMnistOptions,
  type FashionMnistSplit,
} from './data/fashion-mnist.js';
export { readFortunes, splitFortunes, charCorpus, fortunesDir, FORTUNES_DIR, type CharCorpus } from './data/fortunes.js';
export { TASKS, makeTask, type DataTaskOptions } from './tasks/registry.js';
