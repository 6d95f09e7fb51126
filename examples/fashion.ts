/**
 * `pnpm fashion`: train a recurrent classifier on Fashion-MNIST read row by row (28 steps of 28
 * pixels; the class from the last state through a softmax head) with the compiled float32
 * executor, evaluate it on the 10000 test images after every epoch, and write
 * fashion-output/results.json ({ testAccuracy, seconds, model, command, epochs: [...] }; `--out DIR`
 * writes elsewhere).
 *
 *   pnpm fashion                                  # LSTM, H=128, B=128, Adam 2e-3 (cosine), 14 epochs, ≤ 14 min
 *   pnpm fashion --cell gru --hidden 192 --epochs 6 --threads 2
 *   pnpm fashion --train-limit 2000 --test-limit 1000 --epochs 1   # a quick look
 *
 * Stops after --epochs or when the next epoch would overrun --minutes (default 14), whichever comes
 * first; `seconds` counts everything (loading, training, evaluation).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Trainer, batchesPerEpoch, fashionRowsTask, getBuiltinCell, writeFileAtomic, type TrainConfig } from 'cellgrad';

const began = performance.now();
const elapsed = () => (performance.now() - began) / 1000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: a } = parseArgs({
  options: {
    cell: { type: 'string', default: 'lstm' },
    hidden: { type: 'string', default: '128' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.002' },
    epochs: { type: 'string', default: '14' },
    minutes: { type: 'string', default: '14' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' },
    'train-limit': { type: 'string' },
    'test-limit': { type: 'string' },
    'no-standardize': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const num = (name: keyof typeof a, integer = true): number => {
  const v = Number(a[name]);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    console.error(`fashion: --${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(a[name])}`);
    process.exit(2);
  }
  return v;
};
const opt = (name: 'train-limit' | 'test-limit') => (a[name] === undefined ? undefined : num(name));
const hidden = num('hidden'),
  batch = num('batch'),
  lr = num('lr', false),
  epochs = num('epochs'),
  threads = num('threads');
const budget = num('minutes', false) * 60;
const seed = Number(a.seed);
const trainLimit = opt('train-limit'),
  testLimit = opt('test-limit');
const outDir = path.resolve(a.out ?? path.join(root, 'fashion-output'));

const task = fashionRowsTask({
  standardize: !a['no-standardize'],
  ...(trainLimit !== undefined ? { trainLimit } : {}),
  ...(testLimit !== undefined ? { testLimit } : {}),
});
const perEpoch = batchesPerEpoch(task.data!, batch);
const config: TrainConfig = {
  cell: getBuiltinCell(a.cell!),
  task,
  hidden,
  batch,
  seed,
  optimizer: { kind: 'adam' },
  lr,
  schedule: { kind: 'cosine', total: epochs * perEpoch },
  clip: { kind: 'global-norm', maxNorm: 5 },
  exec: { executor: 'compiled', dtype: 'float32', threads },
};
const model =
  `${a.cell} (1 layer, hidden ${hidden}) row by row (T=28, I=28), linear softmax head; batch ${batch}, Adam lr ${lr} cosine over ${epochs} epochs, ` +
  `clip global-norm 5, ${a['no-standardize'] ? 'pixels in [0, 1]' : 'standardised pixels'}, compiled float32, ${threads} thread${threads === 1 ? '' : 's'}, seed ${seed}`;
const command = ['pnpm fashion', ...process.argv.slice(2)].join(' ');
console.log(`fashion: ${model}`);
console.log(`data: ${task.variant} (loaded in ${elapsed().toFixed(1)} s); ${perEpoch} iterations per epoch`);

const trainer = new Trainer(config);
const history: { epoch: number; trainLoss: number; testLoss: number; testAccuracy: number; seconds: number }[] = [];
let epochSeconds = 0;
for (let e = 1; e <= epochs; e++) {
  if (e > 1 && elapsed() + epochSeconds > budget) {
    console.log(`stopping before epoch ${e}: another epoch (~${epochSeconds.toFixed(0)} s) would overrun the ${budget / 60}-minute budget`);
    break;
  }
  const start = elapsed();
  let sum = 0;
  for (let k = 0; k < perEpoch; k++) {
    const r = trainer.step();
    sum += r.loss;
    if ((k + 1) % 50 === 0) process.stdout.write(`  epoch ${e}, iteration ${k + 1}/${perEpoch}, loss ${r.loss.toFixed(4)}, ${elapsed().toFixed(0)} s\n`);
  }
  const ev = trainer.evaluate();
  epochSeconds = elapsed() - start;
  history.push({ epoch: e, trainLoss: sum / perEpoch, testLoss: ev.loss, testAccuracy: ev.accuracy!, seconds: Number(elapsed().toFixed(1)) });
  console.log(
    `epoch ${e}: training loss ${(sum / perEpoch).toFixed(4)}, test loss ${ev.loss.toFixed(4)}, test accuracy ${(100 * ev.accuracy!).toFixed(2)}% (${ev.sequences} images), ${elapsed().toFixed(0)} s`,
  );
}

const last = history[history.length - 1]!;
const results = {
  testAccuracy: last.testAccuracy,
  seconds: Number(elapsed().toFixed(1)),
  model,
  command,
  epochsRun: history.length,
  testImages: task.data!.heldoutSize,
  trainImages: task.data!.trainSize,
  target: { testAccuracy: 0.897, seconds: 900, met: last.testAccuracy >= 0.897 && elapsed() <= 900 },
  epochs: history,
};
mkdirSync(outDir, { recursive: true });
writeFileAtomic(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `test accuracy ${(100 * last.testAccuracy).toFixed(2)}% in ${results.seconds} s; wrote ${path.relative(process.cwd(), path.join(outDir, 'results.json'))}`,
);
