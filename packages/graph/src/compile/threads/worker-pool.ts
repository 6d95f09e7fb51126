/**
 * The worker threads of a float32 plan (`compile(g, { threads: n })`): n − 1 workers that share the
 * plan's WebAssembly memory and hold the same functions as the calling thread: every module the
 * plan compiled (the matmul kernel, the generated SIMD loops and reductions) instantiated against
 * the shared memory, and the generated JavaScript steps (a linear scan) bound to a Float32Array
 * over it. A job is "call function f with these integer arguments" (byte addresses, counts), so a
 * step is split by handing each thread its share of the same function. Jobs pass through a small
 * shared control block per worker (Atomics; the worker spins briefly after a job, then sleeps in
 * Atomics.wait), so a job costs no message and no allocation. Workers come from the platform
 * (`#worker-platform`: worker_threads under Node, Web Workers in a cross-origin isolated page; see
 * worker-platform.ts); under Node they are unref'd. A worker that has not started yet (a browser
 * starts workers asynchronously) is reported by `post`, and the caller computes its share itself.
 */
import { workerPlatform } from '#worker-platform';
import { fail } from '../../ir/errors.js';
import type { SpawnedWorker, WorkerModule } from './worker-platform.js';

// Control block per worker (Int32): job number, done number, status, stop, ready, function, argument count, arguments.
const JOB = 0;
const DONE = 1;
const STATUS = 2;
const STOP = 3;
const READY = 4;
const FN = 5;
const NARGS = 6;
const ARGS = 7;
/** Most arguments a job may pass (functions with more parameters stay on the calling thread). */
export const MAX_JOB_ARGS = 48;
const WORDS = ARGS + MAX_JOB_ARGS;
/** Polls of the control word before sleeping (a few microseconds). */
const SPINS = 20000;

/**
 * The worker's code: `run(data)` builds its function table (the modules' named exports in order,
 * then the scripts, each a function body that receives the memory as a Float32Array `M` and returns
 * a function), says it is ready, then serves jobs.
 */
const WORKER_SOURCE = `
function run({ modules, scripts, mem, control }) {
const fns = [];
for (const { module, names } of modules) {
  const exports = new WebAssembly.Instance(module, { env: { mem } }).exports;
  for (const name of names) fns.push(exports[name]);
}
const M = new Float32Array(mem.buffer);
for (const body of scripts) fns.push(new Function('M', body)(M));
const argv = Array.from({ length: ${MAX_JOB_ARGS + 1} }, (_, n) => new Array(n).fill(0));
const ctl = new Int32Array(control);
let seen = Atomics.load(ctl, ${JOB});
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, ${JOB}) === seen) if (++spins > ${SPINS}) Atomics.wait(ctl, ${JOB}, seen, 1000);
  seen = Atomics.load(ctl, ${JOB});
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  try {
    const args = argv[ctl[${NARGS}]];
    for (let i = 0; i < args.length; i++) args[i] = ctl[${ARGS} + i];
    fns[ctl[${FN}]].apply(undefined, args);
  } catch (e) {
    Atomics.store(ctl, ${STATUS}, 1);
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
}
`;

/** True when this platform can run workers sharing memory (Node; a cross-origin isolated page): `threads` > 1 falls back to one thread otherwise. */
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

/** A pool of `threads − 1` workers sharing one memory and one function table. */
export class WorkerPool {
  private readonly workers: SpawnedWorker[] = [];
  private readonly controls: Int32Array[] = [];
  /** The job number each worker was last given. */
  private readonly jobs: number[] = [];
  private disposed = false;

  /**
   * @param modules compiled for a shared memory, with the exports that make up the function table (in order)
   * @param scripts function bodies of generated JavaScript steps (after the modules' functions in the table)
   * @param mem the plan's shared memory
   */
  constructor(modules: readonly WorkerModule[], scripts: readonly string[], mem: object, threads: number) {
    for (let t = 1; t < threads; t++) {
      const control = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      try {
        this.workers.push(workerPlatform.spawn(WORKER_SOURCE, { modules, scripts, mem, control: control.buffer as SharedArrayBuffer }));
      } catch (e) {
        this.dispose();
        fail('usage', `compile: could not start worker thread ${t} on ${workerPlatform.name} (${(e as Error).message}); compile with threads: 1`);
      }
      this.controls.push(control);
      this.jobs.push(0);
    }
  }

  /** Threads in use, the calling one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Give worker `w` (0-based; thread w + 1) the job `fn(args[0..n))`. False when the worker has not
   * started yet: the caller then runs that share itself.
   */
  post(w: number, fn: number, args: ArrayLike<number>, n = args.length): boolean {
    if (this.disposed) fail('usage', 'compile: this executable was disposed (its worker threads are stopped)');
    const ctl = this.controls[w]!;
    if (Atomics.load(ctl, READY) === 0) return false;
    ctl[FN] = fn;
    ctl[NARGS] = n;
    for (let i = 0; i < n; i++) ctl[ARGS + i] = args[i]!;
    this.jobs[w] = Atomics.add(ctl, JOB, 1) + 1;
    Atomics.notify(ctl, JOB);
    return true;
  }

  /** Wait until worker `w` has finished the job last posted to it. */
  wait(w: number): void {
    const ctl = this.controls[w]!;
    const job = this.jobs[w]!;
    for (let done = Atomics.load(ctl, DONE); done !== job; done = Atomics.load(ctl, DONE)) waitWhile(ctl, DONE, done);
    if (Atomics.load(ctl, STATUS) !== 0) fail('usage', `compile: a worker thread failed (worker ${w + 1})`);
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

/**
 * A step split over the pool: thread t runs `fn` (index `index` in the workers' table, `local` on the
 * calling thread) with `shares[t]`; shares a worker cannot take yet run on the calling thread.
 * Nothing is allocated per run.
 */
export function splitStep(pool: WorkerPool, index: number, local: (...args: number[]) => void, shares: readonly (readonly number[])[]): () => void {
  const workers = shares.length - 1;
  const posted = new Array<boolean>(workers).fill(false);
  return () => {
    for (let w = 0; w < workers; w++) posted[w] = pool.post(w, index, shares[w + 1]!);
    local.apply(undefined, shares[0] as number[]);
    for (let w = 0; w < workers; w++) if (!posted[w]) local.apply(undefined, shares[w + 1] as number[]);
    for (let w = 0; w < workers; w++) if (posted[w]) pool.wait(w);
  };
}
