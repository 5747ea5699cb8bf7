/**
 * `sift gate --report DIR`: the release report (one self-contained HTML page and its JSON) written from a gate run.
 * The report's writer belongs to the release report feature; this is the hook `sift gate` calls. Until it is set,
 * --report is refused before anything is judged.
 */
import type { GateReport } from '../../shared/gates.js';
import type { WorkspaceHost } from './hostCalls.js';

/** Writes the release report of `report` into `dir` (created if absent), reading more from `host` if it needs to. */
export type ReleaseReportWriter = (dir: string, report: GateReport, host: WorkspaceHost) => Promise<void>;

export const releaseReportWriter: ReleaseReportWriter | null = null;
