#!/usr/bin/env node
// The `sift` command: the CLI bundled from source on first use (and after any edit), then run as plain JS.
import { cliBundle } from './cliBundle.mjs';

const { main } = await import(await cliBundle());
process.exitCode = await main(process.argv.slice(2));
