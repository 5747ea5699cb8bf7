/**
 * The reports pinned to the dashboard (Reports view: "Pin to Monitor"), each drawn as its saved chart with the values
 * it last ran with. A feed that brings rows moves `dataVersion`, and every pinned report runs again.
 */
import { useEffect, useMemo, useState } from 'react';
import { type ChartData, chooseChart } from '../../shared/chart';
import type { ReportSummary } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { Plot } from '../components/Plot';
import { chartFigure } from '../components/ResultChart';

function PinnedChart({ report, dataVersion }: { report: ReportSummary; dataVersion: number }) {
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drawn, setDrawn] = useState<{ at: string; version: number } | null>(null);
  useEffect(() => {
    let current = true;
    let resultId: string | null = null;
    void (async () => {
      try {
        const full = await api['reports.get']({ id: report.id });
        const values = Object.fromEntries(
          full.params.map((param) => [param.name, full.lastValues[param.name] ?? param.defaultValue ?? '']),
        );
        const result = await api['reports.run']({ queryId: crypto.randomUUID(), id: report.id, values, pageSize: 0 });
        resultId = result.resultId ?? null;
        const spec = full.chart ?? chooseChart(result.columns);
        if (!resultId || !spec) throw new Error('This report has no column a chart can show.');
        const chart = await api['query.chart']({ resultId, spec });
        if (!current) return;
        setData(chart);
        setError(null);
        setDrawn({ at: new Date().toISOString().slice(11, 19), version: dataVersion });
      } catch (failure) {
        if (current) setError(errorMessage(failure));
      }
    })();
    return () => {
      current = false;
      if (resultId) void api['query.close']({ resultId }).catch(() => undefined);
    };
  }, [report.id, report.updatedAt, dataVersion]);
  const figure = useMemo(() => (data ? chartFigure(data) : null), [data]);
  return (
    <div className="card pinned-chart" data-testid={`pinned-${report.id}`} data-version={drawn?.version ?? -1}>
      <h3 title={report.description}>{report.name}</h3>
      <p className="muted pinned-drawn">
        {drawn ? `Drawn at ${drawn.at} UTC from the data as it is now.` : 'Drawing…'}
      </p>
      {error && <div className="error-box">{error}</div>}
      {figure && <Plot data={figure.data} layout={figure.layout} height={260} testId="pinned-plot" />}
    </div>
  );
}

export function PinnedCharts({ reports, dataVersion }: { reports: ReportSummary[]; dataVersion: number }) {
  if (reports.length === 0)
    return (
      <p className="muted" data-testid="pinned-empty">
        No pinned charts. Open a report in Reports and choose “Pin to Monitor”: its chart is drawn here and again
        whenever a feed brings new rows.
      </p>
    );
  return (
    <div className="pinned-grid" data-testid="pinned-charts">
      {reports.map((report) => (
        <PinnedChart key={report.id} report={report} dataVersion={dataVersion} />
      ))}
    </div>
  );
}
