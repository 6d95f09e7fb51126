// docs/training.md's network example, verbatim (test/docs/training-doc.test.ts keeps the two equal and runs it).
import { Trainer, addingTask, backprop, dataRng, gru, initModel, lstm, majorityTask, randomKey, type ModelSpec, type TrainConfig } from 'cellgrad';

// A 2-layer bidirectional GRU with dropout between the layers and zoneout, on the adding problem.
const config: TrainConfig = {
  cell: gru, task: addingTask(8), hidden: 8, batch: 8, seed: 1, optimizer: { kind: 'adam' }, lr: 0.03,
  layers: 2, bidirectional: true, regularize: { dropout: 0.2, zoneout: 0.1 },
};
const trainer = new Trainer(config);
console.log(Object.keys(trainer.params).includes('weight_hh_l1_reverse')); // true: unroll's names
for (let i = 0; i < 20; i++) trainer.step();                // train mode: masks from iterationKey(seed, i)
console.log(trainer.losses[19]! < trainer.losses[0]!);      // true
console.log(trainer.evaluate(2).loss < 1 / 6);              // true: eval mode, below the mean predictor

// Classification (a loss at the last step: unroll's seq2one head) on variable-length sequences
// (the packed task gives every batch its `lengths`), trained in float64.
const packed = new Trainer({
  cell: gru, task: majorityTask(8, 3, { packed: true }), hidden: 8, batch: 8, seed: 1,
  optimizer: { kind: 'adam' }, lr: 0.03, layers: 2, dtype: 'float64',
});
console.log(packed.model.lengths);                          // true
packed.step();

// One direction: checkpointed BPTT of a stacked, regularised model equals full BPTT bit for bit.
const task = addingTask(9);
const spec: ModelSpec = {
  cell: lstm, input: task.input, hidden: 4, batch: 3, steps: task.steps, loss: task.loss, dtype: 'float64',
  layers: 2, regularize: { dropout: 0.3, variationalState: 0.2 },
};
const params = initModel(spec, 1);
const batch = task.generate(dataRng(1, 'train', 0), 3);
const exec = { executor: 'interpreted', dtype: 'float64' } as const;
const full = backprop(spec, { kind: 'full' }, exec).run(params, batch, undefined, randomKey(5));
const ckpt = backprop(spec, { kind: 'checkpoint', every: 3 }, exec).run(params, batch, undefined, randomKey(5));
console.log(Object.keys(full.grads).every((p) => full.grads[p]!.every((g, i) => g === ckpt.grads[p]![i]))); // true
