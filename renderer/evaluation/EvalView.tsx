/**
 * "Can I trust these scores to route content?" Per category: confidence distributions, reliability diagram,
 * precision–recall, threshold routing (drag or type; live counts), calibration fitting, slices, and a second
 * version side by side. The host sends aggregates only; the state is in evalStore. Its second tab, Release check
 * (ReleaseCheck.tsx, state in releaseStore), judges a candidate version against the gate file.
 */
import { useEffect } from 'react';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { CalibrationCard } from './CalibrationCard';
import { CategorySummary } from './CategorySummary';
import { ErrorAnalysisCard } from './ErrorAnalysisCard';
import { DriftCard } from './DriftCard';
import { DistributionCard, PrecisionRecallCard, ReliabilityCard } from './EvalCharts';
import { EvalToolbar } from './EvalToolbar';
import { comparedVersion, shownCategory, shownCategoryB, useEvaluation } from './evalStore';
import { ItemsPanel } from './ItemsPanel';
import { MetricsRow } from './MetricsRow';
import { ReleaseCheck } from './ReleaseCheck';
import { useRelease } from './releaseStore';
import { RobustnessCard } from './RobustnessCard';
import { RoutingCard } from './RoutingCard';
import { SlicesCard } from './SlicesCard';
import { TrustSafetyCard } from './TrustSafetyCard';

export function EvalView() {
  const missing = useMissingTables('evaluate');
  const show = useEvaluation((state) => state.show);
  const model = useEvaluation((state) => state.model);
  const version = useEvaluation((state) => state.version);
  const result = useEvaluation((state) => state.result);
  const other = comparedVersion(useEvaluation((state) => state.versionB));
  const category = useEvaluation((state) => state.category);
  const thresholds = useEvaluation((state) => state.thresholds);
  const drill = useEvaluation((state) => state.drill);
  const setDrill = useEvaluation((state) => state.setDrill);
  const note = useEvaluation((state) => state.note);
  const loading = useEvaluation((state) => state.loading);
  const current = useEvaluation(shownCategory);
  const currentB = useEvaluation(shownCategoryB);

  const panel = useRelease((state) => state.panel);
  const setPanel = useRelease((state) => state.setPanel);

  useEffect(() => show(), [show]);

  if (missing.length > 0) {
    return (
      <section className="eval-view" data-testid="eval-view">
        <NeedsData view="evaluate" missing={missing} />
      </section>
    );
  }
  const panels = (
    <div className="eval-panels" role="tablist" aria-label="Evaluate">
      {(
        [
          ['evaluation', 'Evaluation'],
          ['release', 'Release check'],
        ] as const
      ).map(([name, title]) => (
        <button
          key={name}
          role="tab"
          aria-selected={panel === name}
          className={panel === name ? 'active' : ''}
          onClick={() => setPanel(name)}
          data-testid={`eval-panel-${name}`}
        >
          {title}
        </button>
      ))}
    </div>
  );
  if (panel === 'release')
    return (
      <section className="eval-view" data-testid="eval-view">
        {panels}
        <ReleaseCheck />
      </section>
    );
  return (
    <section className="eval-view" data-testid="eval-view">
      {panels}
      <EvalToolbar />
      {note && (
        <div className="note" data-testid="eval-note">
          {note}
        </div>
      )}
      {other && result && !loading && (
        <p className="note" data-testid="compare-note">
          {result.categories.length > 0
            ? `Both sides are evaluated on exactly the items both versions scored${current ? `: ${current.n.toLocaleString('en-US')} labelled items of ${category}` : ''}.`
            : `${model} ${version} and ${other.model} ${other.version} scored no labelled items in common, so there is nothing to compare: re-score the same items with both (Models → Re-score a query).`}
        </p>
      )}
      <CategorySummary />
      {current && (
        <div className="eval-body">
          <MetricsRow />
          <div className="eval-grid">
            <ReliabilityCard current={current} currentB={currentB} />
            <DistributionCard current={current} />
            <PrecisionRecallCard current={current} currentB={currentB} />
            <RoutingCard current={current} />
            {version && <TrustSafetyCard model={model} version={version} category={category} thresholds={thresholds} />}
            <CalibrationCard />
            <div className="card wide-card" data-testid="error-analysis-card">
              <h3>Error analysis — {category}</h3>
              {version && (
                <ErrorAnalysisCard
                  model={model}
                  version={version}
                  category={category}
                  thresholds={thresholds}
                  onDrill={setDrill}
                />
              )}
            </div>
            <SlicesCard current={current} />
            {version && <DriftCard model={model} version={version} category={category} />}
            <RobustnessCard />
          </div>
        </div>
      )}
      {!current && !loading && !note && (
        <div className="empty">No labelled, scored items for this model yet: score content, then evaluate.</div>
      )}
      {drill && version && (
        <ItemsPanel
          model={model}
          version={version}
          thresholds={thresholds}
          query={drill}
          onClose={() => setDrill(null)}
        />
      )}
    </section>
  );
}
