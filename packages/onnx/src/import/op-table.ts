/**
 * The table of ONNX op importers (default domain), by op type: what `fromOnnx` can read. An op type
 * missing here is an error naming the op and the node.
 */
import type { OpImporter } from './context.js';
import { ELEMENTWISE_IMPORTERS } from './ops-elementwise.js';
import { LAYOUT_IMPORTERS } from './ops-layout.js';
import { MATH_IMPORTERS } from './ops-math.js';
import { NN_IMPORTERS } from './ops-nn.js';
import { RECURRENT_IMPORTERS } from './recurrent.js';

/** Every ONNX op type `fromOnnx` imports, with its importer. */
export const ONNX_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  ...ELEMENTWISE_IMPORTERS,
  ...LAYOUT_IMPORTERS,
  ...MATH_IMPORTERS,
  ...NN_IMPORTERS,
  ...RECURRENT_IMPORTERS,
};
