/** Nodes with no inputs: graph inputs, constants, and filled tensors. */
import { checkDType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import { checkShape, formatShape, sizeOf } from '../ir/shape.js';
import { defineOp } from './registry.js';

defineOp({
  name: 'input',
  arity: 0,
  doc: 'a named graph input (fed at run time)',
  checkAttrs: (attrs) => {
    if (typeof attrs.name !== 'string' || attrs.name.length === 0) fail('graph', `input: attribute 'name' must be a non-empty string`);
  },
  type: (_, attrs) => ({ dtype: checkDType(attrs.dtype, `input '${attrs.name}'`), shape: checkShape(attrs.shape, `input '${attrs.name}'`) }),
  kernel: () => fail('usage', 'input: inputs are fed, not computed'),
});

defineOp({
  name: 'constant',
  arity: 0,
  doc: 'a constant tensor (data in the attributes)',
  checkAttrs: (attrs) => {
    const shape = checkShape(attrs.shape, 'constant');
    const data = attrs.data;
    if (!Array.isArray(data) || !data.every((v) => typeof v === 'number')) fail('graph', `constant: attribute 'data' must be an array of numbers`);
    if (data.length !== sizeOf(shape)) fail('graph', `constant: ${data.length} values do not fill shape ${formatShape(shape)}`);
  },
  type: (_, attrs) => ({ dtype: checkDType(attrs.dtype, 'constant'), shape: attrs.shape as number[] }),
  kernel: ({ out, attrs }) => out.data.set(attrs.data as number[]),
  vjp: () => [],
});

defineOp({
  name: 'fill',
  arity: 0,
  doc: 'a tensor filled with one value',
  checkAttrs: (attrs) => {
    checkShape(attrs.shape, 'fill');
    if (typeof attrs.value !== 'number') fail('graph', `fill: attribute 'value' must be a number`);
  },
  type: (_, attrs) => ({ dtype: checkDType(attrs.dtype, 'fill'), shape: attrs.shape as number[] }),
  kernel: ({ out, attrs }) => out.data.fill(attrs.value as number),
  vjp: () => [],
});
