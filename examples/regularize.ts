// docs/training.md's regularisation example, verbatim (test/docs/training-doc.test.ts keeps the two equal and runs it).
import { cellFeeds, compile, gradcheck, interpret, lstm, randomKey, unroll } from 'cellgrad';

const sizes = { input: 4, hidden: 8, batch: 3, steps: 6, layers: 2, dtype: 'float64' as const };
const regularize = { dropout: 0.3, variationalState: 0.25, weightDrop: 0.5, zoneout: { h: 0.05, c: 0.5 } };

// Train mode: the graph gets an input `key` (four 16-bit halves of a 64-bit random key).
const train = unroll(lstm, { ...sizes, regularize });
console.log(train.inputs.map((p) => p.name).at(-1));                 // key
const feeds = cellFeeds(lstm, { ...sizes, regularize }, /* seed */ 1); // key = randomKey(1)

// The key is data: the same key gives the same masks interpreted or compiled; a new key, new masks.
const a = interpret(train, feeds).out!;
const b = compile(train, { dtype: 'float64' }).run(feeds).out!;
console.log(a.data.every((v, i) => Math.abs(v - b.data[i]!) < 1e-12)); // true
const c = interpret(train, { ...feeds, key: randomKey(2) }).out!;
console.log(a.data.some((v, i) => v !== c.data[i]));                  // true

// With a fixed key the graph is an ordinary function of the weights: its gradients check out.
console.log(gradcheck(train, feeds, { mode: 'fast' }).passed);        // true

// Eval mode: no key; dropout is the identity and zoneout its expectation z·h(t−1) + (1 − z)·h̃(t).
const evaluate = unroll(lstm, { ...sizes, regularize, mode: 'eval' });
console.log(evaluate.inputs.some((p) => p.name === 'key'));           // false
