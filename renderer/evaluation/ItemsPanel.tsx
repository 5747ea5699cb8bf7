/** The items behind a count, bin or slice: text, context, score, label and who labelled it; sent to labeling in one click. */
import { useEffect, useState } from 'react';
import type { EvalItems } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { runJob } from '../jobs/jobsStore';
import { useLabeling } from '../label/labelStore';
import { MediaPreview } from '../media/MediaPreview';
import { useNavigation } from '../navigation';
import type { ItemsQuery, Thresholds } from './evalStore';

export function ItemsPanel({
  model,
  version,
  thresholds,
  query,
  onClose,
}: {
  model: string;
  version: string;
  thresholds: Thresholds;
  query: ItemsQuery;
  onClose(): void;
}) {
  const [items, setItems] = useState<EvalItems | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const go = useNavigation((state) => state.go);
  useEffect(() => {
    setItems(null);
    setSent(null);
    api['eval.items']({
      model,
      version,
      category: query.category,
      thresholds,
      kind: query.kind,
      score: query.score,
      slice: query.slice,
      limit: 200,
    }).then(setItems, (err: unknown) => setError(errorMessage(err)));
  }, [model, version, thresholds, query]);
  const label = async () => {
    if (!items || items.items.length === 0) return;
    const ids = items.items.map((item) => `'${item.contentId.replace(/'/g, "''")}'`).join(', ');
    try {
      const session = await runJob('sessions.create', {
        name: `Review: ${query.title}`.slice(0, 200),
        pool: `SELECT content_id FROM content WHERE content_id::VARCHAR IN (${ids})`,
        model,
        version,
        strategy: 'errors',
        batchSize: 20,
      });
      setSent(`Session “${session.name}” created with ${items.items.length} items.`);
      void useLabeling.getState().open(session.id);
      go('label');
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <aside className="items-panel" data-testid="eval-items" aria-label={query.title}>
      <header>
        <b>{query.title}</b>
        <span className="muted">
          {items
            ? `${items.total.toLocaleString('en-US')} items${items.total > items.items.length ? `, the first ${items.items.length} shown` : ''}`
            : 'Loading…'}
        </span>
        <span className="spacer" />
        <button
          onClick={() => void label()}
          disabled={!items?.items.length}
          data-testid="eval-items-label"
          title="A labeling session over these items (the errors strategy)"
        >
          Label these
        </button>
        <button onClick={onClose} aria-label="Close the list">
          ×
        </button>
      </header>
      {error && <div className="error-box">{error}</div>}
      {sent && <div className="note">{sent}</div>}
      <ol>
        {items?.items.map((item) => (
          <li key={item.contentId} className={`eval-item ${item.kind}`}>
            <div className="eval-item-head">
              <code>{item.contentId}</code>
              <span className={`kind-badge ${item.kind}`}>{item.kind.toUpperCase()}</span>
              <span>score {item.score.toFixed(3)}</span>
              <span>label {item.label}</span>
              <span className="muted">
                {[item.surface, item.language, item.createdAt?.replace('T', ' ')].filter(Boolean).join(' · ')}
              </span>
            </div>
            <MediaPreview contentId={item.contentId} />
            <div className="eval-item-text">{item.text ?? <span className="muted">(no text)</span>}</div>
            <div className="muted small-print">
              labelled by{' '}
              {item.labelledBy.length
                ? item.labelledBy.map((entry) => `${entry.annotator} (${entry.value})`).join(', ')
                : 'no current label (from the labels query)'}
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
