// docs/training.md's ONNX Runtime example, verbatim (test/docs/training-backend-doc.test.ts keeps the two equal and runs it).
import 'cellgrad/onnx'; // registers the onnxruntime backend (needs `npm install onnxruntime-node`)
import { Trainer, addingTask, lstm, type TrainConfig } from 'cellgrad';

const config: TrainConfig = { cell: lstm, task: addingTask(20), hidden: 8, batch: 4, seed: 1, optimizer: { kind: 'adam' }, lr: 0.03 };
const onOrt = new Trainer({ ...config, backend: 'onnxruntime' });
for (let i = 0; i < 5; i++) await onOrt.stepAsync(); // forward and backward on ONNX Runtime, the update in cellgrad
const own = new Trainer(config);
for (let i = 0; i < 5; i++) own.step(); // the own executor: synchronous as ever
console.log(onOrt.losses.every((l, i) => Math.abs(l - own.losses[i]!) < 1e-5)); // true: float32 rounding apart

// The checkpoint does not depend on the backend: continue on the own executor.
const resumed = Trainer.restore(config, onOrt.save());
resumed.step();
console.log(resumed.iteration); // 6

// 'auto': every graph of the step runs on whichever backend was measured faster on it.
const auto = new Trainer({ ...config, backend: 'auto' });
await auto.stepAsync();
console.log(Object.keys(auto.backendChoices().full!.msPerRun).sort()); // [ 'cellgrad', 'onnxruntime' ]
