/**
 * The Evaluate view's state: which model version is evaluated (and which it is compared with), its evaluation, the
 * thresholds in force per category, the slices at those thresholds, a calibration fit, and the items list open.
 * Changing what is evaluated re-evaluates; moving a threshold or the minimum n recomputes the slices a moment later.
 */
import { create } from 'zustand';
import type {
  CalibrationFit,
  CategoryEvaluation,
  EvaluationResult,
  InputOf,
  ItemKind,
  ModelInfo,
  SliceEvaluation,
  SliceMetrics,
} from '../../shared/contract';
import { DEFAULT_BINS } from '../../shared/calibration';
import { DEFAULT_THRESHOLDS } from '../../shared/routing';
import { DEFAULT_MIN_SLICE_N } from '../../shared/slices';
import { api, errorMessage } from '../api/client';
import { jobResult } from '../jobs/jobsStore';
import { useNavigation } from '../navigation';

export type Thresholds = Record<string, { remove: number; escalate: number }>;
export type BinStrategy = 'uniform' | 'quantile';

/** What an items list shows: a confusion cell, a score bin, or a slice of one category. */
export interface ItemsQuery {
  title: string;
  category: string;
  kind: ItemKind;
  score?: { from: number; to: number };
  slice?: { dimension: SliceMetrics['dimension']; value: string };
}

interface EvalData {
  models: ModelInfo[];
  versions: { model: string; version: string; items: number }[];
  model: string;
  version: string;
  /** "Compare with": `model@version`, or '' for none. */
  versionB: string;
  bins: number;
  strategy: BinStrategy;
  logCounts: boolean;
  result: EvaluationResult | null;
  resultB: EvaluationResult | null;
  category: string;
  thresholds: Thresholds;
  calibration: CalibrationFit | null;
  method: 'platt' | 'isotonic';
  fitOn: 'even' | 'odd';
  minSliceN: number;
  /** Slices recomputed at the thresholds in force; null while the evaluation's own are current. */
  slices: SliceEvaluation | null;
  drill: ItemsQuery | null;
  saveAnyway: boolean;
  note: string | null;
  loading: boolean;
}

interface EvalState extends EvalData {
  /** The view is shown: the model lists are read afresh and the version shown (else the newest) is evaluated. */
  show(): void;
  setModel(model: string): void;
  setVersion(version: string): void;
  setVersionB(versionB: string): void;
  setBins(bins: number): void;
  setCategory(category: string): void;
  setStrategy(strategy: BinStrategy): void;
  setLogCounts(logCounts: boolean): void;
  /** Moves one threshold of the category shown (clamped to 0..1; escalate never above remove). */
  setThreshold(key: 'remove' | 'escalate', value: number): void;
  setMinSliceN(minSliceN: number): void;
  setMethod(method: 'platt' | 'isotonic'): void;
  setFitOn(fitOn: 'even' | 'odd'): void;
  setSaveAnyway(saveAnyway: boolean): void;
  setDrill(drill: ItemsQuery | null): void;
  evaluate(): Promise<void>;
  fitCalibration(): Promise<void>;
  saveThresholds(): Promise<void>;
  saveCalibration(): Promise<void>;
  /** Forgets the last workspace's evaluation (another workspace was opened). */
  reset(): void;
}

const initial: EvalData = {
  models: [],
  versions: [],
  model: 'text-distil',
  version: '',
  versionB: '',
  bins: DEFAULT_BINS,
  strategy: 'uniform',
  logCounts: true,
  result: null,
  resultB: null,
  category: 'spam',
  thresholds: {},
  calibration: null,
  method: 'platt',
  fitOn: 'even',
  minSliceN: DEFAULT_MIN_SLICE_N,
  slices: null,
  drill: null,
  saveAnyway: false,
  note: null,
  loading: false,
};

/**
 * The one place the view starts an evaluation and awaits it: a job, so progress and cancel are in the status bar
 * and the host stays free for other calls meanwhile.
 */
function evaluationOf(input: InputOf<'eval.start'>): Promise<EvaluationResult> {
  return jobResult<EvaluationResult>(api['eval.start'](input));
}

/** The "Compare with" version, parsed. */
export function comparedVersion(versionB: string): { model: string; version: string } | null {
  return versionB ? { model: versionB.split('@')[0]!, version: versionB.split('@').slice(1).join('@') } : null;
}

/** The category shown, in the evaluation (A) or the one compared with (B). */
export const shownCategory = (state: EvalData): CategoryEvaluation | undefined =>
  state.result?.categories.find((c) => c.category === state.category);
export const shownCategoryB = (state: EvalData): CategoryEvaluation | undefined =>
  state.resultB?.categories.find((c) => c.category === state.category);
/** The thresholds in force for the category shown: moved here, else the model's, else the defaults. */
export const thresholdsInForce = (state: EvalData) =>
  state.thresholds[state.category] ?? shownCategory(state)?.thresholds ?? DEFAULT_THRESHOLDS;

/** Stale answers (a newer evaluation or slice request was made meanwhile) are dropped by these counters. */
let evaluations = 0;
/** The inputs of the evaluation under way: asking again for the same one (the view shown twice) waits on it. */
let evaluating: string | null = null;
let sliceRequests = 0;
let slicesTimer: ReturnType<typeof setTimeout> | undefined;

export const useEvaluation = create<EvalState>((set, get) => {
  /** Picks the newest version of the model when none is chosen, and evaluates it. */
  const pickNewestVersion = () => {
    const { version, versions, model } = get();
    const ofModel = versions.filter((v) => v.model === model);
    if (version || !ofModel.length) return;
    set({ version: ofModel[ofModel.length - 1]!.version });
    void get().evaluate();
  };
  const readModels = () => void api['models.list']({}).then((models) => set({ models }));
  /** Slices follow the thresholds in force (as they are dragged) and the minimum n, a moment after the last change. */
  const refreshSlices = () => {
    clearTimeout(slicesTimer);
    const { model, version, thresholds, minSliceN, result } = get();
    if (!version || !result) return;
    // Just evaluated at these thresholds and this minimum: the evaluation's own slices are current.
    if (
      minSliceN === result.categories[0]?.sliceBaseline.minN &&
      result.categories.every((c) => thresholds[c.category]?.remove === c.thresholds.remove)
    )
      return set({ slices: null });
    slicesTimer = setTimeout(() => {
      const asked = ++sliceRequests;
      api['eval.slices']({ model, version, thresholds, minSliceN }).then(
        (slices) => asked === sliceRequests && set({ slices }),
        (error: unknown) => set({ note: errorMessage(error) }),
      );
    }, 300);
  };

  return {
    ...initial,
    show() {
      readModels();
      void api['models.versions']({}).then((versions) => {
        set({ versions });
        if (get().version) void get().evaluate();
        else pickNewestVersion();
      });
    },
    setModel(model) {
      set({ model, version: '', versionB: '' });
      pickNewestVersion();
    },
    setVersion(version) {
      set({ version });
      void get().evaluate();
    },
    setVersionB(versionB) {
      set({ versionB });
      void get().evaluate();
    },
    setBins(bins) {
      set({ bins });
      void get().evaluate();
    },
    setCategory(category) {
      set({ category });
    },
    setStrategy(strategy) {
      set({ strategy });
    },
    setLogCounts(logCounts) {
      set({ logCounts });
    },
    setThreshold(key, value) {
      if (!Number.isFinite(value)) return;
      const clamped = Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
      const state = get();
      const next = { ...thresholdsInForce(state), [key]: clamped };
      if (key === 'remove' && next.escalate > clamped) next.escalate = clamped;
      if (key === 'escalate' && next.remove < clamped) next.remove = clamped;
      set({ thresholds: { ...state.thresholds, [state.category]: next } });
      refreshSlices();
    },
    setMinSliceN(minSliceN) {
      set({ minSliceN });
      refreshSlices();
    },
    setMethod(method) {
      set({ method });
    },
    setFitOn(fitOn) {
      set({ fitOn });
    },
    setSaveAnyway(saveAnyway) {
      set({ saveAnyway });
    },
    setDrill(drill) {
      set({ drill });
    },
    async evaluate() {
      const { model, version, bins, minSliceN, versionB } = get();
      if (!version) return;
      const inputs = JSON.stringify([model, version, bins, minSliceN, versionB]);
      if (inputs === evaluating) return;
      evaluating = inputs;
      const asked = ++evaluations;
      const current = () => asked === evaluations;
      set({ loading: true, note: null });
      // "Compare with" is any scored model version; both sides are then evaluated on exactly the items both scored.
      const other = comparedVersion(versionB);
      if (!other) set({ resultB: null });
      else
        evaluationOf({ model: other.model, version: other.version, bins, sameItemsAs: { model, version } }).then(
          (resultB) => current() && set({ resultB }),
          (error: unknown) => current() && set({ note: errorMessage(error) }),
        );
      try {
        const result = await evaluationOf({
          model,
          version,
          bins,
          minSliceN,
          ...(other ? { sameItemsAs: other } : {}),
        });
        if (!current()) return;
        // The category shown is kept when the new evaluation has it.
        const { category } = get();
        const first = result.categories[0]?.category;
        set({
          result,
          thresholds: Object.fromEntries(result.categories.map((c) => [c.category, c.thresholds])),
          ...(first && !result.categories.some((c) => c.category === category) ? { category: first } : {}),
        });
        refreshSlices();
      } catch (error) {
        if (current()) set({ note: errorMessage(error) });
      } finally {
        if (current()) {
          evaluating = null;
          set({ loading: false });
        }
      }
    },
    async fitCalibration() {
      const { model, version, method, bins, fitOn, result } = get();
      set({ saveAnyway: false });
      try {
        const calibration = await jobResult<CalibrationFit>(
          api['eval.calibrateStart']({
            model,
            version,
            method,
            bins,
            fitOn,
            ...(result?.model === model && result.version === version ? { evaluation: result.evaluationId } : {}),
          }),
        );
        set({ calibration });
      } catch (error) {
        set({ note: errorMessage(error) });
      }
    },
    async saveThresholds() {
      const { model, thresholds } = get();
      try {
        const info = await api['models.saveRevision']({ model, thresholds });
        set({ note: `Saved thresholds as ${info.name} ${info.version}.` });
        readModels();
      } catch (error) {
        set({ note: errorMessage(error) });
      }
    },
    async saveCalibration() {
      const { model, calibration } = get();
      if (!calibration) return;
      const params = Object.fromEntries(
        calibration.categories.filter((c) => c.fitted && c.params).map((c) => [c.category, c.params!]),
      );
      try {
        const info = await api['models.saveRevision']({ model, calibration: { method: calibration.method, params } });
        set({ note: `Saved ${calibration.method} calibration as ${info.name} ${info.version}.` });
      } catch (error) {
        set({ note: errorMessage(error) });
      }
    },
    reset() {
      evaluations++;
      evaluating = null;
      sliceRequests++;
      clearTimeout(slicesTimer);
      set(initial);
      if (useNavigation.getState().view === 'evaluate') get().show();
    },
  };
});
