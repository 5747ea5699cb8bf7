// Starts a compute worker from the TypeScript source, through tsx (a worker thread does not inherit the parent's
// loader). The bundled app starts computeWorker.mjs (computeWorkerMain.ts bundled) directly instead.
import { register } from 'tsx/esm/api';

register();
await import('./computeWorkerMain.ts');
