#!/usr/bin/env node
// Part of `pnpm build`: bundles the playground page (packages/cli/playground/) from the packages'
// built dist/ files into packages/cli/dist/playground-assets/, the prebuilt assets that
// `cellgrad playground` serves without bundling at startup.
import { rmSync } from 'node:fs';
import { bundlePlayground } from '../packages/cli/dist/playground/bundle.js';
import { PREBUILT, writeAssets } from '../packages/cli/dist/playground/assets.js';

const started = performance.now();
rmSync(PREBUILT, { recursive: true, force: true });
const files = writeAssets(PREBUILT, await bundlePlayground());
console.log(`playground: ${files.length} files in ${PREBUILT} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
