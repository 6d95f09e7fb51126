/**
 * Worker threads for the matrix products of float32 plans (`compile(g, { threads: n })`). Each
 * worker instantiates the kernel module on the plan's shared WebAssembly memory once; a product is
 * then split by columns (multiples of 8): the calling thread computes the first share, the workers
 * the others. Each element of C is still computed by one thread in the same order, so results are
 * bit-identical to one thread. Jobs pass through a small shared control block (Atomics; the worker
 * spins briefly after a job, then sleeps in Atomics.wait), so a product costs no message and no
 * allocation. Workers come from the platform (`#worker-platform`: worker_threads under Node, Web
 * Workers in a cross-origin isolated page; see worker-platform.ts); under Node they are unref'd (an
 * executable never keeps the process alive). All stop on `dispose()`. A worker that has not started
 * yet (a browser starts workers asynchronously) has its share computed by the calling thread, with
 * the same result, so a product never waits for a worker to load.
 */
import { workerPlatform } from '#worker-platform';
import { fail } from '../../ir/errors.js';
import type { SpawnedWorker } from './worker-platform.js';

// Control block per worker (Int32): job number, done number, status, the 13 gemm arguments, stop, ready.
const JOB = 0;
const DONE = 1;
const STATUS = 2;
const ARGS = 3;
const NARGS = 13;
const STOP = ARGS + NARGS;
const READY = STOP + 1;
const WORDS = READY + 1;
/** Polls of the control word before sleeping (a few microseconds). */
const SPINS = 20000;

/** The worker's code: `run(data)` instantiates the module on the shared memory, says it is ready, then serves jobs. */
const WORKER_SOURCE = `
function run({ module, mem, control }) {
const gemm = new WebAssembly.Instance(module, { env: { mem } }).exports.gemm;
const ctl = new Int32Array(control);
let seen = Atomics.load(ctl, ${JOB});
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, ${JOB}) === seen) if (++spins > ${SPINS}) Atomics.wait(ctl, ${JOB}, seen, 1000);
  seen = Atomics.load(ctl, ${JOB});
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  try {
    gemm(${Array.from({ length: NARGS }, (_, i) => `ctl[${ARGS + i}]`).join(', ')});
  } catch (e) {
    Atomics.store(ctl, ${STATUS}, 1);
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
}
`;

/** True when this platform can run the pool (Node; a cross-origin isolated page): `threads` > 1 falls back to one thread otherwise. */
export function threadsAvailable(): boolean {
  return workerPlatform.available();
}

/** Wait until `ctl[index]` leaves `value`: spin, then sleep in Atomics.wait where this thread may block. */
function waitWhile(ctl: Int32Array, index: number, value: number): void {
  let spins = 0;
  while (Atomics.load(ctl, index) === value) {
    if (++spins > SPINS && workerPlatform.canBlock) Atomics.wait(ctl, index, value, 1000);
  }
}

/** The gemm arguments (see `gemmBody`): byte addresses and strides, counts, B mode, scratch for B, strip of A (or 0). */
export type GemmArgs = [
  c: number,
  a: number,
  rsA: number,
  csA: number,
  b: number,
  rsB: number,
  m4: number,
  k: number,
  n8: number,
  ldc: number,
  mode: number,
  scratchB: number,
  packA: number,
];

/** Byte addresses of one thread's scratch: a packed block of B, a 4-row strip of A. */
export interface Scratch {
  readonly b: number;
  readonly a: number;
}

/** A pool of `threads − 1` workers sharing one memory. */
export class GemmPool {
  private readonly workers: SpawnedWorker[] = [];
  private readonly controls: Int32Array[] = [];
  /** Job number given to each worker by the current product (−1: no share; −2: not started, the calling thread computes it). */
  private readonly jobs: number[] = [];
  private disposed = false;

  /**
   * @param module the kernel module compiled for a shared memory
   * @param mem the plan's shared memory
   * @param scratch each thread's scratch (index 0: the calling thread)
   */
  constructor(
    module: object,
    mem: object,
    threads: number,
    private readonly scratch: readonly Scratch[],
  ) {
    for (let t = 1; t < threads; t++) {
      const control = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      try {
        this.workers.push(workerPlatform.spawn(WORKER_SOURCE, { module, mem, control: control.buffer as SharedArrayBuffer }));
      } catch (e) {
        this.dispose();
        fail('usage', `compile: could not start matmul worker thread ${t} on ${workerPlatform.name} (${(e as Error).message}); compile with threads: 1`);
      }
      this.controls.push(control);
    }
  }

  /** Threads in use, the calling one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Run one product split by columns: the calling thread computes the first share with `gemm`, the
   * workers the others. `bColumnBytes`: bytes between columns of B in the product's B mode.
   */
  run(args: GemmArgs, bColumnBytes: number, gemm: (...args: GemmArgs) => void): void {
    if (this.disposed) fail('usage', 'compile: this executable was disposed (its worker threads are stopped)');
    const n8 = args[8];
    const share = Math.ceil(n8 / this.threads / 8) * 8;
    const jobs = this.jobs;
    // Workers take the shares after the first; nothing is allocated per product.
    for (let w = 0; w < this.controls.length; w++) {
      const j0 = (w + 1) * share;
      const width = Math.min(share, n8 - j0);
      jobs[w] = -1;
      if (width <= 0) continue;
      const ctl = this.controls[w]!;
      if (Atomics.load(ctl, READY) === 0) {
        jobs[w] = -2;
        continue;
      }
      const scratch = this.scratch[w + 1]!;
      for (let i = 0; i < NARGS; i++) ctl[ARGS + i] = args[i]!;
      ctl[ARGS] = args[0] + j0 * 4;
      ctl[ARGS + 4] = args[4] + j0 * bColumnBytes;
      ctl[ARGS + 8] = width;
      ctl[ARGS + 11] = scratch.b;
      ctl[ARGS + 12] = args[12] !== 0 ? scratch.a : 0;
      jobs[w] = Atomics.add(ctl, JOB, 1) + 1;
      Atomics.notify(ctl, JOB);
    }
    const own = this.scratch[0]!;
    const packA = args[12] !== 0 ? own.a : 0;
    gemm(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], Math.min(share, n8), args[9], args[10], own.b, packA);
    for (let w = 0; w < this.controls.length; w++) {
      if (jobs[w] !== -2) continue;
      const j0 = (w + 1) * share;
      gemm(
        args[0] + j0 * 4,
        args[1],
        args[2],
        args[3],
        args[4] + j0 * bColumnBytes,
        args[5],
        args[6],
        args[7],
        Math.min(share, n8 - j0),
        args[9],
        args[10],
        own.b,
        packA,
      );
    }
    for (let w = 0; w < this.controls.length; w++) {
      const job = jobs[w]!;
      if (job < 0) continue;
      const ctl = this.controls[w]!;
      for (let done = Atomics.load(ctl, DONE); done !== job; done = Atomics.load(ctl, DONE)) waitWhile(ctl, DONE, done);
      if (Atomics.load(ctl, STATUS) !== 0) fail('usage', `compile: a matmul worker thread failed (worker ${w + 1})`);
    }
  }

  /** Stop the workers (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const ctl of this.controls) {
      Atomics.store(ctl, STOP, 1);
      Atomics.add(ctl, JOB, 1);
      Atomics.notify(ctl, JOB);
    }
    for (const w of this.workers) w.terminate();
  }
}
