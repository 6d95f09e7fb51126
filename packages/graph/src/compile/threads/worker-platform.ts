/**
 * The seam between the plan's worker pool and the platform that runs it: Node's worker_threads or a
 * browser's Web Workers. The pool imports the platform as `#worker-platform` (package.json `imports`):
 * the `node` condition picks `platform-node.ts`, a browser or any other runtime `platform-web.ts`,
 * so the core has no static import of `node:worker_threads` and bundles for a browser.
 */

/** A compiled WebAssembly module a worker instantiates on the shared memory, and the exports it uses (in order). */
export interface WorkerModule {
  readonly module: object;
  readonly names: readonly string[];
}

/** What each worker receives: the plan's modules and generated scripts, the shared memory and its control block. */
export interface WorkerData {
  readonly modules: readonly WorkerModule[];
  readonly scripts: readonly string[];
  readonly mem: object;
  readonly control: SharedArrayBuffer;
}

/** A started worker. */
export interface SpawnedWorker {
  /** Stop it (the pool first asks it to leave its loop). */
  terminate(): void;
}

/** How worker threads are started and waited for on one platform. */
export interface WorkerPlatform {
  /** Short name for messages ("node worker_threads", "web workers"). */
  readonly name: string;
  /**
   * True when workers sharing WebAssembly memory can run here: always under Node; in a browser only
   * when the page is cross-origin isolated (SharedArrayBuffer). Otherwise plans run on one thread.
   */
  available(): boolean;
  /** True when this thread may block in `Atomics.wait` (not a browser's main thread: it spins instead). */
  readonly canBlock: boolean;
  /**
   * Start a worker running `body`, JavaScript that defines `function run(data)`; the platform calls
   * it with `data` inside the worker.
   */
  spawn(body: string, data: WorkerData): SpawnedWorker;
}
