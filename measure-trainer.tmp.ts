// Indicative: medium LSTM (B=32, T=100, I=128, H=256) training step per iteration through the Trainer, each backend.
import '@cellgrad/onnx';
import { Trainer, getBuiltinCell, type Task, type TrainBackend } from '@cellgrad/cells';
const [B, T, I, H] = [32, 100, 128, 256];
const task: Task = {
  name: 'medium-synthetic',
  steps: T,
  input: I,
  loss: { kind: 'mse', at: 'last', outputs: 1 },
  baseline: { value: 1, what: 'n/a' },
  generate(rng, b) {
    const x = Float64Array.from({ length: T * b * I }, () => rng.uniform(-1, 1));
    const y = Float64Array.from({ length: b }, () => rng.uniform(-1, 1));
    return { x, y, mask: new Float64Array(b).fill(1) };
  },
};
const iters = Number(process.argv[3] ?? 10);
for (const backend of (process.argv[2] ?? 'cellgrad,onnxruntime,auto').split(',') as TrainBackend[]) {
  const t = new Trainer({
    cell: getBuiltinCell('lstm'),
    task,
    hidden: H,
    batch: B,
    seed: 1,
    optimizer: { kind: 'adam' },
    lr: 1e-3,
    backend,
    bptt: process.argv[4] ? { kind: 'checkpoint' } : { kind: 'full' },
  });
  const c0 = performance.now();
  await t.stepAsync();
  const first = performance.now() - c0;
  const ms: number[] = [];
  for (let i = 0; i < iters; i++) {
    const a = performance.now();
    await t.stepAsync();
    ms.push(performance.now() - a);
  }
  ms.sort((a, b) => a - b);
  const choice = Object.values(t.backendChoices())[0];
  console.log(
    `${backend}: first step (compile) ${first.toFixed(0)} ms; per iteration median ${ms[ms.length >> 1]!.toFixed(1)} ms, min ${ms[0]!.toFixed(1)} ms${choice ? `; auto chose ${choice.backend} ${JSON.stringify(choice.msPerRun)}` : ''}`,
  );
}
