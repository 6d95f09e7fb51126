#!/usr/bin/env node
/** The `cellgrad` executable: runs the program on the process arguments and exits with its code. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
