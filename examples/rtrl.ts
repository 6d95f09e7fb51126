/**
 * `pnpm rtrl`: real-time recurrent learning on the adding problem. First the memory each strategy
 * keeps for an LSTM (full BPTT's stored activations against RTRL's influence matrices, for several
 * sequence lengths T), then a training run with SnAp-1 (or exact RTRL, or UORO) on the adding problem at T=50
 * until the held-out loss is below --target or --iterations are done; prints the held-out loss
 * against the 0.167 baseline (predicting the mean) and the time.
 *
 *   pnpm rtrl                                   # SnAp-1, LSTM H=8, B=32, Adam 0.03, up to 1000 iterations
 *   pnpm rtrl --kind rtrl --every 10            # exact RTRL with an update every 10 steps
 *   pnpm rtrl --kind uoro                       # UORO
 *   pnpm rtrl --memory-only --hidden 32         # only the memory table
 */
import { parseArgs } from 'node:util';
import { Trainer, addingTask, backprop, getBuiltinCell, type BpttSpec, type ModelSpec } from 'cellgrad';

const { values: a } = parseArgs({
  options: {
    kind: { type: 'string', default: 'snap1' },
    every: { type: 'string' },
    steps: { type: 'string', default: '50' },
    hidden: { type: 'string', default: '8' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.03' },
    iterations: { type: 'string', default: '1000' },
    target: { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '1' },
    'memory-only': { type: 'boolean', default: false },
  },
});
if (a.kind !== 'rtrl' && a.kind !== 'snap1' && a.kind !== 'uoro') throw new Error(`--kind must be rtrl, snap1 or uoro, got ${a.kind}`);
const kind = a.kind;
const H = Number(a.hidden);
const B = Number(a.batch);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

// Memory: what full BPTT stores grows with T; the influence matrices do not.
console.log(`memory, LSTM H=${H}, B=${B} (BPTT: float32 activations its backward pass reads; RTRL: float64 influence matrices and states)`);
console.log('T      full BPTT      exact RTRL     SnAp-1         UORO');
for (const T of [50, 100, 200, 400]) {
  const task = addingTask(T);
  const spec: ModelSpec = { cell: getBuiltinCell('lstm'), input: task.input, hidden: H, batch: B, steps: T, loss: task.loss };
  const exact = backprop(spec, { kind: 'rtrl' }).memory();
  const snap = backprop(spec, { kind: 'snap1' }).memory();
  const uoro = backprop(spec, { kind: 'uoro' }).memory();
  console.log(
    `${String(T).padEnd(6)} ${kib(exact.full.bytes).padEnd(14)} ${kib(exact.stored.bytes).padEnd(14)} ${kib(snap.stored.bytes).padEnd(14)} ${kib(uoro.stored.bytes)}`,
  );
  if (T === 50)
    console.log(`       (influence matrix |s| × |θ| = ${exact.influence!.rows} × ${exact.influence!.cols}; SnAp-1 keeps ${snap.influence!.entries} entries)`);
}
if (a['memory-only']) process.exit(0);

const bptt: BpttSpec = a.every === undefined ? { kind } : { kind, every: Number(a.every) };
const trainer = new Trainer({
  cell: getBuiltinCell('lstm'),
  task: addingTask(Number(a.steps)),
  hidden: H,
  batch: B,
  seed: Number(a.seed),
  optimizer: { kind: 'adam' },
  lr: Number(a.lr),
  bptt,
});
const began = performance.now();
let heldOut = trainer.evaluate().loss;
while (trainer.iteration < Number(a.iterations)) {
  trainer.step();
  if (trainer.iteration % 50 === 0) {
    heldOut = trainer.evaluate().loss;
    console.log(`iteration ${trainer.iteration}: training loss ${trainer.losses.at(-1)!.toFixed(4)}, held-out ${heldOut.toFixed(4)}`);
    if (heldOut < Number(a.target)) break;
  }
}
heldOut = trainer.evaluate().loss;
const seconds = (performance.now() - began) / 1000;
console.log(
  `${kind}${a.every ? ` every ${a.every}` : ''} on adding T=${a.steps}: held-out loss ${heldOut.toFixed(4)} after ${trainer.iteration} iterations ` +
    `(baseline 0.167), ${seconds.toFixed(0)} s`,
);
