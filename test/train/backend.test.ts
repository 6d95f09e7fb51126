// Trainer backends without @cellgrad/onnx: stepAsync on the own executor equals step exactly, and
// every misuse of the backend option is a usage error naming what to do.
import { describe, expect, it } from 'vitest';
import { Trainer, addingTask, getBuiltinCell, type TrainConfig } from '@cellgrad/cells';

const config: TrainConfig = {
  cell: getBuiltinCell('gru'),
  task: addingTask(6),
  hidden: 4,
  batch: 3,
  seed: 5,
  optimizer: { kind: 'adam' },
  lr: 0.05,
  bptt: { kind: 'checkpoint', every: 2 },
};

describe('Trainer backends', () => {
  it("stepAsync on backend 'cellgrad' gives step()'s records bit for bit", async () => {
    const sync = new Trainer(config);
    const async = new Trainer({ ...config, backend: 'cellgrad' });
    for (let i = 0; i < 4; i++) expect(await async.stepAsync()).toEqual(sync.step());
    expect(async.save().params).toEqual(sync.save().params);
  });

  it("names @cellgrad/onnx when backend 'onnxruntime' is not registered", async () => {
    const t = new Trainer({ ...config, backend: 'onnxruntime' });
    await expect(t.stepAsync()).rejects.toThrow(/unknown backend 'onnxruntime' \(import '@cellgrad\/onnx' or 'cellgrad\/onnx' first\)/);
  });

  it('rejects unknown backends and options an asynchronous backend cannot honour', () => {
    expect(() => new Trainer({ ...config, backend: 'gpu' as 'auto' })).toThrow(
      /unknown backend "gpu" \(option 'backend'; known: cellgrad, onnxruntime, auto\)/,
    );
    expect(() => new Trainer({ ...config, backend: 'auto', exec: { executor: 'interpreted' } })).toThrow(
      /backend 'auto' runs compiled graphs; the interpreted executor needs backend 'cellgrad'/,
    );
    expect(() => new Trainer({ ...config, backend: 'onnxruntime', exec: { checkFinite: true } })).toThrow(/checkFinite .* needs backend 'cellgrad'/);
    expect(() => new Trainer({ ...config, backend: 'onnxruntime', bptt: { kind: 'uoro' } })).toThrow(/uoro .* own executor only/);
  });
});
