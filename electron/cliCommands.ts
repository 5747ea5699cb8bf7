/** The command table's old address, kept for the code and tests that import it: see electron/cli/commands.ts. */
export * from './cli/commands.js';
