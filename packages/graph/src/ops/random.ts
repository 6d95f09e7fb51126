/**
 * `random_uniform(key)`: a tensor of uniform values in [0, 1) from the counter-based Philox4x32-10
 * generator. The key is graph data (a [4] tensor, see `util/random-key.ts`), never hidden state, so a
 * graph is a pure function of its feeds: the same key gives the same values in the interpreter and
 * in every compiled plan, whatever the dtype or thread count. Attribute `shape` is the output shape;
 * attribute `stream` (a non-negative integer) selects an independent stream, so two draws with
 * different streams differ and two with the same key, stream and shape are equal (and may be
 * merged by CSE). Element i is word i mod 4 of Philox(counter = [⌊i/4⌋ low, ⌊i/4⌋ high, stream
 * low, stream high], key), its top 24 bits scaled by 2⁻²⁴. No gradient flows to the key.
 */
import { fail } from '../ir/errors.js';
import { checkShape, formatShape, sameShape } from '../ir/shape.js';
import { KEY_SHAPE, keyWords } from '../util/random-key.js';
import { philox4x32, uniformFromWord } from '../util/philox.js';
import type { Tensor } from '../trace/tensor.js';
import { defineOp, type Op } from './registry.js';

const TWO_32 = 2 ** 32;

/** The `random_uniform` op as a function: `randomUniform(key, { shape, stream })` (see `drawUniform`). */
export const randomUniform: Op<readonly [Tensor, { readonly shape: readonly number[]; readonly stream: number }]> = defineOp({
  name: 'random_uniform',
  arity: 1,
  doc: 'uniform values in [0, 1) of attribute shape from Philox4x32-10 (key input [4], attribute stream); no gradient',
  checkAttrs: (attrs) => {
    checkShape(attrs.shape, 'random_uniform');
    const s = attrs.stream;
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) {
      fail('graph', `random_uniform: attribute 'stream' must be a non-negative integer, got ${JSON.stringify(s)}`);
    }
  },
  type: ([key], attrs) => {
    if (!sameShape(key!.shape, KEY_SHAPE)) {
      fail('shape', `random_uniform: the key must have shape [4] (four 16-bit halves of a 64-bit key), got ${formatShape(key!.shape)}`);
    }
    return { dtype: key!.dtype, shape: attrs.shape as number[] };
  },
  kernel: ({ inputs: [key], out, attrs }) => {
    const k = keyWords(key!.data, `random_uniform (stream ${attrs.stream as number})`);
    const stream = attrs.stream as number;
    const ctr = [0, 0, stream % TWO_32, Math.floor(stream / TWO_32)];
    const words = new Uint32Array(4);
    const data = out.data;
    for (let i = 0; i < data.length; i += 4) {
      const block = i / 4;
      ctr[0] = block % TWO_32;
      ctr[1] = Math.floor(block / TWO_32);
      philox4x32(ctr, k, words);
      const n = Math.min(4, data.length - i);
      for (let j = 0; j < n; j++) data[i + j] = uniformFromWord(words[j]!);
    }
  },
  vjp: () => [null],
});
