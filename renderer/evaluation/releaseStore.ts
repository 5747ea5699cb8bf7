/**
 * The Evaluate view's Release check: which versions of the model shown are judged (candidate, and the baseline it is
 * compared with), the gate run under way (a job: progress, cancel) and its verdicts, and the gate file being edited
 * (policy/gates.json, checked as it is typed by the schema the host checks it with, saved through gates.set).
 */
import { create } from 'zustand';
import type { GateReport } from '../../shared/gates';
import { parseGateFile } from '../../shared/gates';
import { releaseReportHtml, reportEvaluations } from '../../shared/releaseReport';
import { api, errorMessage } from '../api/client';
import { awaitJob, isCancelled, runJob, useJobs } from '../jobs/jobsStore';

export type EvalPanel = 'evaluation' | 'release';

interface ReleaseData {
  panel: EvalPanel;
  candidate: string;
  /** '' for none: the gates that compare versions then say "not applicable". */
  baseline: string;
  /** A gate run is under way (from the click, before its job id is known), and its job once known. */
  running: boolean;
  jobId: string | null;
  report: GateReport | null;
  /** Why the last run gave no verdicts (a bad gate file, no labels, cancelled). */
  runNote: string | null;
  /** The gate file as the editor holds it, and as it was last read or saved. */
  text: string;
  savedText: string;
  fileNote: string | null;
  saving: boolean;
}

interface ReleaseState extends ReleaseData {
  setPanel(panel: EvalPanel): void;
  setCandidate(candidate: string): void;
  setBaseline(baseline: string): void;
  /** Reads the gate file afresh (the panel was opened). */
  readGateFile(): Promise<void>;
  setText(text: string): void;
  revert(): void;
  save(): Promise<void>;
  run(model: string): Promise<void>;
  cancel(): Promise<void>;
  /** The release report page of the last run (the same page `sift gate --report` writes), as text. */
  reportPage(): Promise<string>;
  /** Forgets the last workspace's run and gate file (another workspace was opened). */
  reset(): void;
}

const initial: ReleaseData = {
  panel: 'evaluation',
  candidate: '',
  baseline: '',
  running: false,
  jobId: null,
  report: null,
  runNote: null,
  text: '',
  savedText: '',
  fileNote: null,
  saving: false,
};

/** What the editor offers when the workspace has no gate file yet: one of each kind of target, to edit. */
export const STARTER_GATE_FILE = `${JSON.stringify(
  {
    description: 'Release gates: a candidate version ships only when every gate passes.',
    categories: {
      '*': { max_recall_drop: 0.01, max_precision_drop: 0.02, max_ece: 0.1 },
      csam: { recall_at_precision: { precision: 0.8, min_recall: 0.995 } },
    },
  },
  null,
  2,
)}\n`;

/** What is wrong with the gate file's text, naming the field (`categories.spam.max_ece.max: …`), or null. */
export function gateFileProblem(text: string): string | null {
  try {
    parseGateFile(text);
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

export const useRelease = create<ReleaseState>((set, get) => ({
  ...initial,
  setPanel(panel) {
    set({ panel });
    if (panel === 'release' && get().text === get().savedText) void get().readGateFile();
  },
  setCandidate(candidate) {
    set({ candidate, report: null, runNote: null });
  },
  setBaseline(baseline) {
    set({ baseline, report: null, runNote: null });
  },
  async readGateFile() {
    try {
      const file = await api['gates.get']({});
      const text = file.text ?? STARTER_GATE_FILE;
      set({
        text,
        savedText: file.exists ? text : '',
        fileNote: file.exists ? null : 'No gate file yet: this is an example to start from; Save writes it.',
      });
    } catch (error) {
      set({ fileNote: errorMessage(error) });
    }
  },
  setText(text) {
    set({ text, fileNote: null });
  },
  revert() {
    set({ text: get().savedText, fileNote: null });
  },
  async save() {
    const { text } = get();
    if (gateFileProblem(text)) return;
    set({ saving: true });
    try {
      await api['gates.set']({ text });
      set({ savedText: text, fileNote: 'Saved policy/gates.json.' });
    } catch (error) {
      set({ fileNote: errorMessage(error) });
    } finally {
      set({ saving: false });
    }
  },
  async run(model) {
    const { candidate, baseline } = get();
    if (!candidate || get().running) return;
    set({ running: true, report: null, runNote: null });
    try {
      const { jobId } = await api['gate.run']({ model, candidate, ...(baseline ? { baseline } : {}) });
      set({ jobId });
      const report = await awaitJob('gate.run', jobId);
      set({ report });
    } catch (error) {
      set({ runNote: isCancelled(error) ? 'Cancelled: no verdicts.' : errorMessage(error) });
    } finally {
      set({ running: false, jobId: null });
    }
  },
  async cancel() {
    const { jobId } = get();
    if (jobId) await useJobs.getState().cancel(jobId);
  },
  async reportPage() {
    const { report } = get();
    if (!report) throw new Error('Run the gates first.');
    const evaluations = await reportEvaluations(report, (input) => runJob('eval.run', input));
    return releaseReportHtml({ report, generatedAt: new Date().toISOString(), ...evaluations });
  },
  reset() {
    set({ ...initial, panel: get().panel });
    if (get().panel === 'release') void get().readGateFile();
  },
}));
