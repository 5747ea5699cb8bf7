/** The gates part of the contract (shared/contract/gates.ts): a gate run, and the gate file for the app's editor. */
import type { gateMethods } from '../../../shared/contract/gates.js';
import type { Handlers, HostServices } from '../services.js';
import { gateFileState, writeGateFile } from './gateFile.js';
import { runGates } from './gateRun.js';

export function gateHandlers(host: HostServices): Handlers<keyof typeof gateMethods> {
  return {
    'gate.run': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start(
        'gate.run',
        `Gate ${input.model} ${input.candidate}${input.baseline ? ` against ${input.baseline}` : ''}`,
        (ctx) => runGates(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'gates.get': async () => gateFileState(host.workspace.dir),
    'gates.set': async (input) => writeGateFile(host.workspace.dir, input.text),
  };
}
