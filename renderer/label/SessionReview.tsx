/**
 * A lead's view of a session: agreement per category, the adjudication queue (keyboard first, as the labeling
 * screen: ↑/↓ move, a number flips a contested category's decision, Enter records it), and dataset versions of the
 * session's settled labels with the diff against the previous version, and the time backtest of its recipe
 * (BacktestPanel.tsx).
 */
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  AgreementReport,
  DatasetDiff,
  DatasetManifest,
  Disagreements,
  SessionSummary,
} from '../../shared/contract';
import { api, downloadExport, errorMessage } from '../api/client';
import { runJob } from '../jobs/jobsStore';
import { chordOf } from '../../shared/keymap';
import { MediaPanel } from '../media/MediaPanel';
import { runMediaAction } from '../media/mediaView';
import { prefetchMedia } from '../media/useMedia';
import { BacktestPanel } from './BacktestPanel';
import { useKeymap } from './keymapStore';

/** A figure, or why there is none (one rater, one value only…), in words rather than "undefined". */
const stat = (value: number | null, reason?: string) =>
  value === null ? (
    <span className="muted no-figure" data-testid="no-figure">
      — {reason ?? 'no figure'}
    </span>
  ) : (
    value.toFixed(3)
  );

function AgreementTable({ report }: { report: AgreementReport }) {
  if (report.categories.length === 0) return <p className="muted">No labels yet.</p>;
  return (
    <table className="agreement" data-testid="agreement-table">
      <thead>
        <tr>
          <th>category</th>
          <th>items</th>
          <th>raters</th>
          <th>Krippendorff α</th>
          <th>Fleiss κ</th>
          <th>Cohen κ per pair</th>
          <th>each annotator vs the adjudicated decision</th>
        </tr>
      </thead>
      <tbody>
        {report.categories.map((category) => (
          <tr
            key={category.category}
            className={`${category.belowFloor ? 'flagged' : ''} level-${category.level}`}
            title={
              category.belowFloor
                ? `below ${report.floor}: the policy text for this category likely needs work`
                : undefined
            }
          >
            <td>
              {category.category}
              {category.belowFloor ? ' ⚠' : ''}
            </td>
            <td className="num">{category.items}</td>
            <td className="num">{category.raters}</td>
            <td className="num">{stat(category.krippendorffAlpha, category.krippendorffReason)}</td>
            <td className="num">{stat(category.fleissKappa, category.fleissReason)}</td>
            <td>
              {category.cohen.length === 0
                ? '—'
                : category.cohen.map((pair) => (
                    <span key={`${pair.a}-${pair.b}`} className="pair" title={pair.reason}>
                      {pair.a}–{pair.b}:{' '}
                      {pair.kappa === null ? `— ${pair.reason ?? 'no figure'}` : pair.kappa.toFixed(2)} ({pair.items})
                    </span>
                  ))}
            </td>
            <td>
              {category.vsAdjudicated.length === 0
                ? '—'
                : category.vsAdjudicated.map((entry) => (
                    <span key={entry.annotator} className="pair">
                      {entry.annotator}: {entry.agreement === null ? '—' : `${Math.round(entry.agreement * 100)}%`} of{' '}
                      {entry.items}
                    </span>
                  ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The decision a lead starts from: the majority of the votes (a tie starts at 1, to be looked at). */
const majority = (votes: { value: 0 | 1 }[]): 0 | 1 =>
  votes.filter((vote) => vote.value === 1).length * 2 >= votes.length ? 1 : 0;

function AdjudicationQueue({
  session,
  adjudicator,
  onDecided,
}: {
  session: SessionSummary;
  adjudicator: string;
  onDecided(): void;
}) {
  const [queue, setQueue] = useState<Disagreements | null>(null);
  const [index, setIndex] = useState(0);
  const [decisions, setDecisions] = useState<Record<string, 0 | 1>>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const load = useCallback(() => {
    api['labels.disagreements']({ sessionId: session.id }).then(
      (loaded) => {
        setQueue(loaded);
        setIndex((current) => Math.min(current, Math.max(0, loaded.items.length - 1)));
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [session.id]);
  useEffect(load, [load]);
  const item = queue?.items[index];
  const contested = useMemo(() => item?.categories.filter((category) => category.contested) ?? [], [item]);
  useEffect(
    () => setDecisions(Object.fromEntries(contested.map((category) => [category.category, majority(category.votes)]))),
    [contested],
  );
  useEffect(() => box.current?.focus(), [item?.contentId]);
  useEffect(() => {
    // The media of the items next in the queue, fetched ahead as the labeling screen does.
    const ids = queue?.items.map((entry) => entry.contentId) ?? [];
    prefetchMedia(ids, ids.slice(index + 1, index + 4));
  }, [queue, index]);

  const decide = async () => {
    if (!item || saving) return;
    setSaving(true);
    try {
      await api['labels.record']({
        sessionId: session.id,
        annotator: adjudicator,
        action: {
          kind: 'adjudicate',
          contentId: item.contentId,
          labels: contested.map((category) => ({
            category: category.category,
            value: decisions[category.category] ?? 0,
          })),
        },
      });
      setError(null);
      load();
      onDecided();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  const onKey = (event: KeyboardEvent) => {
    if (!queue || !item) return;
    // The media viewer's keys, as the lead has them in the labeling screen's keymap.
    const action = useKeymap.getState().byChord.get(chordOf(event));
    if (action?.startsWith('media') && runMediaAction(action)) return event.preventDefault();
    if (event.key === 'ArrowDown' || event.key === 'j') setIndex(Math.min(queue.items.length - 1, index + 1));
    else if (event.key === 'ArrowUp' || event.key === 'k') setIndex(Math.max(0, index - 1));
    else if (event.key === 'Enter') void decide();
    else if (/^[1-9]$/.test(event.key)) {
      const category = contested[Number(event.key) - 1];
      if (category) setDecisions({ ...decisions, [category.category]: decisions[category.category] === 1 ? 0 : 1 });
    } else return;
    event.preventDefault();
  };

  if (!queue) return <p className="muted">Reading disagreements…</p>;
  return (
    <div className="adjudication" data-testid="adjudication">
      <p className="muted">
        {queue.items.length === 0
          ? 'Nothing to adjudicate: annotators agree on every item they share (or it is decided).'
          : `${queue.items.length} item(s) to adjudicate. ↑/↓ move, a number flips that category's decision, Enter records it as ${adjudicator}'s adjudication. Only adjudicated or unanimous labels graduate to training data.`}
      </p>
      {error && <div className="error-box">{error}</div>}
      {item && (
        <div
          className="adjudication-item"
          tabIndex={0}
          ref={box}
          onKeyDown={onKey}
          data-testid="adjudication-item"
          aria-label={`Item ${item.contentId}`}
        >
          <div className="muted">
            {index + 1} of {queue.items.length} · <code>{item.contentId}</code>
          </div>
          <MediaPanel contentId={item.contentId} main />
          <blockquote className="adjudication-text">{item.text ?? '(no text)'}</blockquote>
          <table>
            <thead>
              <tr>
                <th>key</th>
                <th>category</th>
                <th>annotators</th>
                <th>decision</th>
              </tr>
            </thead>
            <tbody>
              {item.categories.map((category) => {
                const key = contested.indexOf(category) + 1;
                return (
                  <tr key={category.category} className={category.contested ? 'contested' : 'muted'}>
                    <td>{category.contested ? <kbd>{key}</kbd> : ''}</td>
                    <td>{category.category}</td>
                    <td>
                      {category.votes.map((vote) => (
                        <span key={vote.annotator} className={`vote vote-${vote.value}`}>
                          {vote.annotator}: {vote.value ? 'yes' : 'no'}
                          {vote.leaf ? ` (${vote.leaf})` : ''}
                        </span>
                      ))}
                    </td>
                    <td data-testid={`decision-${category.category}`}>
                      {category.contested ? (decisions[category.category] ? 'yes' : 'no') : 'agreed'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button className="primary" onClick={() => void decide()} disabled={saving} data-testid="adjudicate">
            Record decision (Enter)
          </button>
        </div>
      )}
    </div>
  );
}

function Datasets({ session }: { session: SessionSummary }) {
  const [name, setName] = useState(
    session.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'labels',
  );
  const [versions, setVersions] = useState<DatasetManifest[]>([]);
  const [diff, setDiff] = useState<DatasetDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The versions already written under this name, and what changed from the one before the latest.
  const load = useCallback(async (datasetName: string) => {
    if (!datasetName.trim()) return;
    try {
      const listed = await api['datasets.list']({ name: datasetName.trim() });
      setVersions(listed);
      const [previous, latest] = listed.slice(-2);
      setDiff(
        listed.length >= 2 && previous?.dir && latest?.dir
          ? await api['datasets.diff']({ from: previous.dir, to: latest.dir })
          : null,
      );
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void load(name), 300);
    return () => clearTimeout(timer);
  }, [name, load]);
  const exportVersion = async () => {
    setBusy(true);
    try {
      await runJob('datasets.export', { name, sessions: [session.id] });
      setError(null);
      await load(name);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="datasets" data-testid="datasets">
      <div className="form-row">
        <label>
          Dataset name{' '}
          <input value={name} onChange={(event) => setName(event.target.value)} data-testid="dataset-name" />
        </label>
        <button
          className="primary"
          onClick={() => void exportVersion()}
          disabled={busy || !name.trim()}
          data-testid="dataset-export"
        >
          {busy ? 'Exporting…' : 'Export a new version'}
        </button>
      </div>
      {error && <div className="error-box">{error}</div>}
      {versions.map((manifest) => (
        <p key={manifest.version} data-testid={`dataset-v${manifest.version}`}>
          <b>
            {manifest.name} v{manifest.version}
          </b>{' '}
          — train {manifest.rows.train}, validation {manifest.rows.validation}, test {manifest.rows.test}; policy{' '}
          {manifest.policyVersion}; {manifest.contestedItemsLeftOut} contested item(s) left out;{' '}
          <span className="muted">{manifest.dir}</span>{' '}
          {manifest.dir && (
            <button className="link" onClick={() => downloadExport(`${manifest.dir}/manifest.json`)}>
              manifest
            </button>
          )}
        </p>
      ))}
      {diff && (
        <div data-testid="dataset-diff">
          <b>
            v{versions.at(-2)?.version} → v{versions.at(-1)?.version}:
          </b>{' '}
          {diff.added} added, {diff.removed} removed, {diff.relabeled} relabeled, {diff.moved} moved between splits.{' '}
          {Object.entries(diff.perCategory)
            .filter(([, counts]) => counts.relabeled > 0)
            .map(
              ([category, counts]) =>
                `${category}: ${counts.relabeled} relabeled (${counts.toPositive} to 1, ${counts.toNegative} to 0)`,
            )
            .join('; ')}
        </div>
      )}
    </div>
  );
}

export function SessionReview({
  session,
  adjudicator,
  onClose,
}: {
  session: SessionSummary;
  adjudicator: string;
  onClose(): void;
}) {
  const [report, setReport] = useState<AgreementReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unlabelled, setUnlabelled] = useState(false);
  const refresh = useCallback(() => {
    api['labels.agreement']({ sessions: [session.id] }).then(
      (next) => {
        setReport(next);
        setUnlabelled(false);
      },
      (err: unknown) => {
        // A session nobody has labelled yet is a normal state here, not an error (the CLI still says it).
        if ((err as { info?: { code?: string } }).info?.code === 'NOT_FOUND') setUnlabelled(true);
        else setError(errorMessage(err));
      },
    );
  }, [session.id]);
  useEffect(refresh, [refresh]);
  return (
    <div className="session-review" data-testid="session-review">
      <header className="form-row">
        <h2>Review: {session.name}</h2>
        <span className="spacer" />
        <button onClick={onClose}>Back to sessions</button>
      </header>
      {error && <div className="error-box">{error}</div>}
      <section className="card">
        <h3>
          Agreement per category (categories below {report?.floor ?? 0.6} are flagged: their policy text likely needs
          work)
        </h3>
        {report && <AgreementTable report={report} />}
        {unlabelled && (
          <p className="muted" data-testid="agreement-empty">
            No labels in this session yet: agreement shows once annotators have labelled items.
          </p>
        )}
      </section>
      <section className="card">
        <h3>Adjudication queue</h3>
        <AdjudicationQueue session={session} adjudicator={adjudicator} onDecided={refresh} />
      </section>
      <section className="card">
        <h3>Dataset versions of the settled labels</h3>
        <Datasets session={session} />
      </section>
      <section className="card">
        <h3>Backtest: the recipe trained before a cut, judged after it</h3>
        <BacktestPanel session={session} />
      </section>
    </div>
  );
}
