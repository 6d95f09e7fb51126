// docs/training.md's RTRL example, verbatim (test/docs/training-doc.test.ts keeps the two equal and runs it).
import { Trainer, addingTask, backprop, dataRng, initModel, lstm, type ModelSpec } from 'cellgrad';

const task = addingTask(20);
const spec: ModelSpec = { cell: lstm, input: task.input, hidden: 4, batch: 3, steps: task.steps, loss: task.loss, dtype: 'float64' };
const params = initModel(spec, 1);
const batch = task.generate(dataRng(1, 'train', 0), 3);
const exec = { executor: 'interpreted', dtype: 'float64' } as const;
const full = backprop(spec, { kind: 'full' }, exec).run(params, batch);
const rtrl = backprop(spec, { kind: 'rtrl' }, exec).run(params, batch);
console.log(Object.keys(full.grads).every((p) => full.grads[p]!.every((g, i) => Math.abs(g - rtrl.grads[p]![i]!) < 1e-12))); // true
console.log(backprop(spec, { kind: 'rtrl' }).memory().influence); // { rows: 8, cols: 128, entries: 1024 }: h and c × θ
console.log(backprop(spec, { kind: 'snap1' }).memory().influence); // { rows: 8, cols: 128, entries: 224 }: 2 per weight, 1 for the output gate's

// Online SnAp-1 training: an optimizer step every 5 of the 20 steps.
const trainer = new Trainer({ cell: lstm, task, hidden: 4, batch: 8, seed: 1, optimizer: { kind: 'adam' }, lr: 0.03, bptt: { kind: 'snap1', every: 5 } });
trainer.step();
console.log(trainer.save().optimizer.step); // 4
