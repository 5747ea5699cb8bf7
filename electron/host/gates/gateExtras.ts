/**
 * The gates whose figures other features measure: drift (PSI), obfuscation robustness and latency. A gate run takes
 * them as callbacks, so the gate logic is tested with values handed in and the measuring features stay their own.
 * Robustness and latency need the model's own runtime: a version known only from imported scores is "not
 * applicable" for them, and a build without the measure says so the same way.
 */

export interface DriftFigure {
  psi: number | null;
  /** The candidate's scores compared. */
  n: number;
}

export interface RobustnessFigure {
  transform: string;
  /** Recall on clean text minus recall under the transform, at the version's escalate threshold. */
  recallDrop: number | null;
  /** Labelled positives re-scored. */
  n: number;
}

export interface LatencyFigure {
  p99Ms: number;
  /** Items timed. */
  n: number;
}

export interface GateRequest {
  model: string;
  candidate: string;
  baseline: string | null;
  labels?: string;
  categories: string[];
  signal?: AbortSignal;
}

export interface GateExtras {
  /** PSI per category of the candidate's scores against the baseline's; absent: PSI of the judged items' scores. */
  drift?: (request: GateRequest) => Promise<Map<string, DriftFigure>>;
  /** Each category's recall drop under each transform, for the candidate. */
  robustness?: (request: GateRequest) => Promise<Map<string, RobustnessFigure[]>>;
  /** The candidate's p99 scoring latency on this machine's CPU. */
  latency?: (request: GateRequest) => Promise<LatencyFigure>;
}
