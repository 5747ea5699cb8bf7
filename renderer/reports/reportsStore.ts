import { create } from 'zustand';
import type { ChartSpec } from '../../shared/chart';
import type { QueryResult, Report, ReportSummary } from '../../shared/contract';
import type { SiftErrorInfo } from '../../shared/errors';
import type { QueryStoredEvent } from '../../shared/jobs';
import { api, errorMessage } from '../api/client';
import { storedMessage, storedSoFar } from '../components/liveResults';

interface ReportsState {
  reports: ReportSummary[];
  report: Report | null;
  values: Record<string, string>;
  result: (QueryResult & { resultId: string }) | null;
  running: string | null;
  error: SiftErrorInfo | null;
  note: string | null;
  refresh(): Promise<void>;
  open(id: number): Promise<void>;
  setValue(name: string, value: string): void;
  run(): Promise<void>;
  cancel(): Promise<void>;
  save(draft: { id?: number; name: string; description: string; folder: string; sql: string }): Promise<void>;
  remove(id: number): Promise<void>;
  /** Keeps the chart the report opens as. */
  setChart(chart: ChartSpec | null): Promise<void>;
  /** Pins the report's chart to the Monitor view's dashboard, or takes it off. */
  setPinned(pinned: boolean): Promise<void>;
  setNote(note: string | null): void;
  /** The shown result finished streaming in (or stopped): say so in the status line. */
  streamed(event: QueryStoredEvent): void;
}

export const useReports = create<ReportsState>((set, get) => ({
  reports: [],
  report: null,
  values: {},
  result: null,
  running: null,
  error: null,
  note: null,
  async refresh() {
    set({ reports: await api['reports.list']({}) });
  },
  async open(id) {
    const report = await api['reports.get']({ id });
    // The form starts from the values the report last ran with, else its declared defaults.
    const values = Object.fromEntries(
      report.params.map((param) => [param.name, report.lastValues[param.name] ?? param.defaultValue ?? '']),
    );
    set({ report, values, result: null, error: null, note: null });
  },
  setValue(name, value) {
    set({ values: { ...get().values, [name]: value } });
  },
  async run() {
    const { report, values, running } = get();
    if (!report || running) return;
    const queryId = crypto.randomUUID();
    const previous = get().result;
    set({ running: queryId, error: null });
    try {
      const result = await api['reports.run']({ queryId, id: report.id, values, pageSize: 200 });
      if (previous) void api['query.close']({ resultId: previous.resultId }).catch(() => undefined);
      set({
        result: result.resultId ? (result as QueryResult & { resultId: string }) : null,
        note: `${result.message} ${result.elapsedMs} ms`,
      });
      // A short result is often wholly stored before its answer arrives; its event is not lost.
      const early = storedSoFar(result.resultId);
      if (early) get().streamed(early);
    } catch (error) {
      set({ error: (error as { info?: SiftErrorInfo }).info ?? { code: 'INTERNAL', message: errorMessage(error) } });
    } finally {
      set({ running: null });
    }
  },
  async cancel() {
    const queryId = get().running;
    if (queryId) await api['query.cancel']({ queryId });
  },
  async save(draft) {
    try {
      const saved = await api['reports.save'](draft);
      await get().refresh();
      await get().open(saved.id);
      set({ note: `Saved “${saved.name}”.` });
    } catch (error) {
      set({ error: (error as { info?: SiftErrorInfo }).info ?? { code: 'INTERNAL', message: errorMessage(error) } });
      throw error;
    }
  },
  async remove(id) {
    await api['reports.delete']({ id });
    set({ report: null, result: null });
    await get().refresh();
  },
  async setChart(chart) {
    const report = get().report;
    if (!report) return;
    try {
      const saved = await api['reports.setChart']({ id: report.id, chart });
      set({
        report: { ...report, chart: saved.chart },
        note: chart
          ? `“${report.name}” now opens as a ${chart.type.replace('_', ' ')} chart.`
          : `“${report.name}” opens as a table.`,
      });
    } catch (error) {
      set({ note: errorMessage(error) });
    }
  },
  async setPinned(pinned) {
    const report = get().report;
    if (!report) return;
    try {
      const saved = await api['reports.setPinned']({ id: report.id, pinned });
      set({
        report: { ...report, pinned: saved.pinned },
        note: pinned ? `“${report.name}” is pinned to the Monitor view.` : `“${report.name}” is no longer pinned.`,
      });
      await get().refresh();
    } catch (error) {
      set({ note: errorMessage(error) });
    }
  },
  setNote(note) {
    set({ note });
  },
  streamed(event) {
    const result = get().result;
    if (!result || result.resultId !== event.resultId || result.complete) return;
    if (event.error) set({ error: event.error });
    else if (event.complete)
      set({
        result: { ...result, rowCount: event.rowCount, complete: true },
        note: storedMessage(event, result.elapsedMs),
      });
  },
}));
