/** The compiled executor: `compile(g)` → an `Executable` with preallocated, planned buffers. */
export { compile, type CompileOptions, type AutoCompileOptions } from './compile.js';
export type { Executable, PlanStats, ProfileEntry } from './executable.js';
export type { View } from './js/views.js';
export { registerBackend, type AsyncExecutable, type ExternalBackend, type ExternalBackends } from './external.js';
export type { AutoExecutable, AutoOptions, BackendChoice, BackendName } from './auto-backend.js';
export {
  chunkedScanPhases,
  chunkedScanSource,
  chunkPlan,
  chunkScratch,
  useChunkedScan,
  type ChunkedScanPhases,
  type ChunkPlan,
  type ChunkScratch,
  type ScanAlgorithm,
  type ScanSpan,
} from './js/scan-chunked.js';
