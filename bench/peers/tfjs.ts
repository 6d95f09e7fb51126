/**
 * The TensorFlow.js 4.22 peers (CPU backend in JavaScript, WebAssembly backend with SIMD): the same
 * cells written with tf ops, unrolled by a loop, loss = mean(out²), trained with `tf.grads` to
 * every weight. The wasm backend loads offline from the package's dist folder, one thread.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { CaseName, Shape } from '../cases.js';

const require = createRequire(import.meta.url);
// The CommonJS bundle registers no gradients; the per-op ES modules do (tsx loads them), into the
// registry that tfjs keeps on the global object, which the bundle shares.
require('@tensorflow/tfjs-core/dist/register_all_gradients.js');
let wasmReady = false;

/** Select a backend ('cpu' or 'wasm'). */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm' && !wasmReady) {
    setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    setThreadsCount(1);
    wasmReady = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend '${name}' did not initialise`);
  await tf.ready();
}

type Weights = Record<string, tf.Tensor>;

const rand = (shape: number[], scale: number) => tf.randomUniform(shape, -scale, scale, 'float32', 7);

function weights(name: CaseName, s: Shape): Weights {
  const { input: I, hidden: H } = s;
  const k = 1 / Math.sqrt(H);
  if (name === 'custom_train') {
    const w: Weights = {};
    for (const g of ['i', 'f', 'g', 'o']) {
      w[`W${g}`] = rand([I, H], k);
      w[`U${g}`] = rand([H, H], k);
      w[`b${g}`] = rand([H], k);
    }
    return w;
  }
  // Input-major [in, gates] like tf.layers' kernels: tfjs-wasm multiplies by a transposed operand
  // about 10× slower (4.9 vs 0.5 ms for 32×256·256×1024 here), which would flatter every ratio.
  const G = name === 'gru_train' ? 3 : 4;
  return { wih: rand([I, G * H], k), whh: rand([H, G * H], k), bih: rand([G * H], k), bhh: rand([G * H], k) };
}

/** The per-step outputs of the case's cell over all steps, stacked: [T, B, H]. */
function forward(name: CaseName, xs: tf.Tensor[], w: Weights, s: Shape): tf.Tensor {
  let h: tf.Tensor = tf.zeros([s.batch, s.hidden]);
  let c: tf.Tensor = tf.zeros([s.batch, s.hidden]);
  const outs: tf.Tensor[] = [];
  for (const x of xs) {
    if (name === 'gru_train') {
      const gi = tf.add(tf.matMul(x, w.wih!), w.bih!);
      const gh = tf.add(tf.matMul(h, w.whh!), w.bhh!);
      const [xr, xz, xn] = tf.split(gi, 3, 1);
      const [hr, hz, hn] = tf.split(gh, 3, 1);
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    } else if (name === 'custom_train') {
      const gate = (g: string) => tf.add(tf.add(tf.matMul(x, w[`W${g}`]!), tf.matMul(h, w[`U${g}`]!)), w[`b${g}`]!);
      const i = tf.sigmoid(gate('i'));
      const f = tf.sigmoid(gate('f'));
      const g = tf.tanh(gate('g'));
      const o = tf.sigmoid(gate('o'));
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      h = tf.mul(o, tf.tanh(c));
    } else {
      const gates = tf.add(tf.add(tf.matMul(x, w.wih!), w.bih!), tf.add(tf.matMul(h, w.whh!), w.bhh!));
      const [i, f, g, o] = tf.split(gates, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
      h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
    }
    outs.push(h);
  }
  return tf.stack(outs);
}

/** A function running one step of the case (forward, or forward + gradient to every weight). */
export function tfjsCase(name: CaseName, s: Shape): { run: () => void; dispose: () => void } {
  const w = weights(name, s);
  const x = rand([s.steps, s.batch, s.input], 1);
  const names = Object.keys(w);
  const loss = (...ws: tf.Tensor[]) => {
    const byName: Weights = Object.fromEntries(names.map((n, i) => [n, ws[i]!]));
    return tf.mean(tf.square(forward(name, tf.unstack(x), byName, s)));
  };
  const grads = tf.grads(loss);
  const run = () => {
    tf.tidy(() => {
      if (name === 'lstm_fwd') loss(...names.map((n) => w[n]!)).dataSync();
      else for (const g of grads(names.map((n) => w[n]!))) g.dataSync();
    });
  };
  return { run, dispose: () => tf.dispose([x, ...Object.values(w)]) };
}
