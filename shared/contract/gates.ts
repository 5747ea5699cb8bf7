/** Release gates: judging a candidate version against the gate file, and reading or writing that file (the app's editor). */
import { z } from 'zod/v3';
import type { GateFile, GateReport } from '../gates.js';
import { job, method, nonEmpty } from './base.js';

export type { GateFile, GateReport, GateResult } from '../gates.js';

/** The workspace's gate file as the editor shows it: its text, and what is wrong with it if anything. */
export interface GateFileState {
  /** Relative to the workspace: policy/gates.json. */
  path: string;
  exists: boolean;
  text: string | null;
  file: GateFile | null;
  /** Why the file as it stands cannot be used (names the field), or null. */
  error: string | null;
}

const gateRunInput = z
  .object({
    model: nonEmpty('model'),
    candidate: nonEmpty('candidate'),
    /** Without one, only the gates that judge the candidate alone are judged; the comparing ones are "not applicable". */
    baseline: z.string().min(1, 'baseline must not be empty').optional(),
    /** A gate file's path (relative to the workspace, or absolute) or the file's content inline; default policy/gates.json. */
    gates: z.union([z.string().min(1, 'gates must not be empty'), z.record(z.string(), z.unknown())]).optional(),
    /** The labels to judge against (content_id, category, label); default current_labels by majority vote. */
    labels: z.string().optional(),
    /** The paired bootstrap's seed (default: the gate file's, else 0). */
    seed: z.number().int().min(0).optional(),
  })
  .strict();

export const gateMethods = {
  /** A job: reads both versions' scores on the labelled items and judges every gate. */
  'gate.run': job<GateReport>()(gateRunInput),
  'gates.get': method<GateFileState>()(z.object({}).strict()),
  /** Replaces the gate file with `text` once it validates; owner only (not in shared/callerAccess.ts). */
  'gates.set': method<GateFileState>()(z.object({ text: z.string().max(1_000_000) }).strict()),
} as const;
