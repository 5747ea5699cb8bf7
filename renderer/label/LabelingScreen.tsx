/**
 * The labeling screen: one item at a time, keyboard first. The keys are the annotator's keymap (shared/keymap.ts,
 * rebound in the help): by default number keys toggle categories, letters (or Shift+number) pick leaves, 0 says
 * "none of these", Enter submits, Backspace undoes, arrows move, s skips, u marks unsure, n writes a note, ? shows
 * the shortcuts and the policy's guidelines. The key handler is labelKeys.ts; the help, ShortcutsHelp.tsx.
 */
import { memo, useEffect, useRef } from 'react';
import type { BatchItem, LabelBatch, PickReason, SessionSummary, Taxonomy } from '../../shared/contract';
import { useJobs } from '../jobs/jobsStore';
import { HELD_OUT_TO_JUDGE, STRATEGY_TITLES, tooFewToJudge } from '../../shared/labeling';
import { type Draft, useLabeling } from './labelStore';
import { useRole } from '../roleStore';
import { categoryAction, keyLabel } from '../../shared/keymap';
import { useKeymap } from './keymapStore';
import { useLabelKeys } from './labelKeys';
import { KeyHint, ShortcutsHelp } from './ShortcutsHelp';
import { MediaPanel } from '../media/MediaPanel';
import { BreakReminder, WellnessButton } from '../media/WellnessSettings';
import { prefetchMedia } from '../media/useMedia';

/** How many items ahead the screen fetches media for, so moving on never waits for a picture. */
const MEDIA_AHEAD = 5;

const fmt = (value: number, digits = 3) => value.toFixed(digits);

function reasonText(reason: PickReason): string {
  if ('unscored' in reason) return 'not scored by this model version: handed out after every scored item';
  switch (reason.strategy) {
    case 'entropy': {
      // Entropy is not a score: each category adds at most 1 bit (a score of 0.5), so it is told out of its maximum.
      const categories = Object.entries(reason.perCategory);
      const top = [...categories].sort((a, b) => b[1] - a[1]).slice(0, 2);
      return `model unsure: ${fmt(reason.entropy, 2)} of ${categories.length} bit${categories.length === 1 ? '' : 's'} of uncertainty (most on ${top.map(([c, h]) => `${c} ${fmt(h, 2)}`).join(', ')})`;
    }
    case 'margin':
      return `${reason.category} scored ${fmt(reason.score)}, ${fmt(reason.margin)} from its threshold ${reason.threshold}`;
    case 'blend':
      return `review priority ${fmt(reason.blend, 2)} of 1 = 0.6 × model unsure ${fmt(reason.entropy, 2)} of 1 + 0.4 × virality rank ${fmt(reason.virality, 2)}`;
    case 'random':
      return `random audit sample (draw ${fmt(reason.draw)})`;
    case 'relabel':
      return 'relabel under the current policy: a change to the policy left its earlier label undetermined';
    case 'stratified':
      return `stratum: ${reason.stratum === 'none' ? 'no category flagged' : `predicted ${reason.stratum}`}`;
    case 'errors':
      return reason.errors
        .map(
          (e) =>
            `${e.kind === 'false_positive' ? 'false positive' : 'false negative'} on ${e.category} (score ${fmt(e.score)}, threshold ${e.threshold})`,
        )
        .join('; ');
  }
}

const ItemContext = memo(function ItemContext({ item }: { item: BatchItem }) {
  const facts: [string, string][] = [
    ['surface', item.surface ?? '—'],
    ['language', item.language ?? '—'],
    ['type', item.contentType ?? '—'],
    ['posted', item.createdAt?.replace('T', ' ') ?? '—'],
    ['account age at upload', item.accountAgeDays === null ? '—' : `${item.accountAgeDays} days`],
    [
      'reports',
      item.reports.count === 0
        ? 'none'
        : `${item.reports.count} (${Object.entries(item.reports.reasons)
            .map(([r, n]) => `${r} ${n}`)
            .join(', ')})`,
    ],
  ];
  return (
    <dl className="label-facts" data-testid="label-context">
      {facts.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
      <div>
        <dt>actions taken</dt>
        <dd>
          {item.priorActions.length === 0
            ? 'none'
            : item.priorActions
                .map((a) => `${a.action}${a.category ? ` ${a.category}` : ''} by ${a.actorType ?? '?'}`)
                .join(' · ')}
        </dd>
      </div>
    </dl>
  );
});

const CategoryPanel = memo(function CategoryPanel({
  taxonomy,
  draft,
  scores,
}: {
  taxonomy: Taxonomy;
  draft: Draft;
  scores: Record<string, number> | null;
}) {
  const { toggleCategory, toggleLeaf } = useLabeling.getState();
  return (
    <div className="label-categories" data-testid="label-categories">
      {taxonomy.categories.map((category, i) => {
        const on = category.name in draft.selected;
        const score = scores?.[category.name];
        return (
          <div
            key={category.name}
            className={`label-category ${on ? 'on' : ''}`}
            data-testid={`category-${category.name}`}
            data-selected={on}
          >
            <button className="label-toggle" onClick={() => toggleCategory(category.name)} tabIndex={-1}>
              <KeyHint action={categoryAction(i)} /> {category.title}
            </button>
            {score !== undefined && (
              <span className="label-score" title={`model score for ${category.name}`}>
                <span className="label-score-bar" style={{ width: `${Math.round(score * 100)}%` }} />
                <span className="label-score-text">{fmt(score, 2)}</span>
              </span>
            )}
            {category.leaves.length > 0 && (
              <div className="label-leaves">
                {category.leaves.map((leaf) => {
                  const chosen = draft.selected[category.name] === leaf.name;
                  const leafScore = scores?.[leaf.name];
                  return (
                    <button
                      key={leaf.name}
                      className={`label-leaf ${chosen ? 'chosen' : ''} sev-${leaf.severity}`}
                      onClick={() => toggleLeaf(category.name, leaf.name)}
                      tabIndex={-1}
                      data-testid={`leaf-${leaf.name}`}
                    >
                      <kbd>{leaf.key}</kbd> {leaf.title}
                      {leafScore !== undefined && <span className="muted"> {fmt(leafScore, 2)}</span>}
                    </button>
                  );
                })}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
});

function statusText(item: BatchItem, saving: string | undefined): string {
  const status = item.state?.status ?? 'open';
  if (status === 'open') return 'to do';
  const save = saving === 'saving' ? 'saving…' : saving === 'failed' ? 'NOT SAVED' : 'saved';
  return `${status} · ${save}`;
}

/** The batch at the bottom: where the annotator is, and each item's status. Re-rendered only when those change. */
const BatchStrip = memo(function BatchStrip({
  batch,
  index,
  saving,
}: {
  batch: LabelBatch;
  index: number;
  saving: Record<string, string>;
}) {
  return (
    <ol className="label-strip" data-testid="label-strip">
      {batch.items.map((entry, i) => (
        <li
          key={entry.contentId}
          className={`${i === index ? 'current' : ''} st-${entry.state?.status ?? 'open'} sv-${saving[entry.contentId] ?? 'none'}`}
          title={`${entry.contentId}: ${statusText(entry, saving[entry.contentId])}`}
        >
          <button tabIndex={-1} onClick={() => useLabeling.setState({ index: i })}>
            {i + 1}
          </button>
        </li>
      ))}
      {batch.deferredDuplicates > 0 && (
        <li className="muted label-strip-note">
          {batch.deferredDuplicates} near-duplicates of these items wait for later batches
        </li>
      )}
      {batch.returningSkipped > 0 && (
        <li className="muted label-strip-note">{batch.returningSkipped} skipped items came back</li>
      )}
    </ol>
  );
});

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;

/** The model in the loop: the retrain running now, or what the last one changed. */
function RetrainPanel({ session }: { session: SessionSummary }) {
  const retraining = useLabeling((state) => state.retraining);
  const job = useJobs((state) => (retraining.jobId ? state.jobs[retraining.jobId] : undefined));
  const last = session.retrains.at(-1);
  if (!retraining.jobId && !retraining.error && !last) return null;
  return (
    <div className="label-retrain" data-testid="retrain-panel">
      {retraining.jobId && (
        <div className="label-retrain-running" data-testid="retrain-running">
          Retraining {session.model} on the labels so far — keep labeling; the next batch will come from the new
          version. {job?.message ?? ''}
          {job?.progress !== null && job?.progress !== undefined ? ` ${Math.round(job.progress * 100)}%` : ''}
        </div>
      )}
      {retraining.error && (
        <div className="error-text" role="alert">
          Retrain failed: {retraining.error}
        </div>
      )}
      {last && (
        <div data-testid="retrain-result" className="label-retrain-result">
          <strong>
            {last.model} {last.fromVersion} → {last.version}
          </strong>{' '}
          <span
            className="muted"
            title={`trained on ${last.trainedOn} items (${last.humanLabeled} labeled by people) in ${last.seconds.train.toFixed(1)} s; ${last.rescored} pool items re-scored and re-ranked in ${last.seconds.rescore.toFixed(1)} s`}
          >
            on {last.humanLabeled.toLocaleString('en-US')} labels (+
            {(last.trainedOn - last.humanLabeled).toLocaleString('en-US')} decisions), pool re-ranked · AP on{' '}
            {last.heldOut.toLocaleString('en-US')} held-out labeled items it never saw:
          </span>
          {last.categories.map((c) => {
            const items = c.heldOutPositives + c.heldOutNegatives;
            const tooFew = tooFewToJudge(items, c.heldOutPositives);
            return (
              <span
                key={c.category}
                className="label-retrain-ap"
                title={`${c.heldOutPositives} positive / ${c.heldOutNegatives} negative held-out items`}
              >
                {c.category}{' '}
                {c.apBefore === null || c.apAfter === null ? (
                  <span className="muted">— ({c.reason ?? 'no figure'})</span>
                ) : (
                  <>
                    {c.apBefore.toFixed(3)} → {c.apAfter.toFixed(3)}{' '}
                    {!tooFew && (
                      <span className={c.apAfter >= c.apBefore ? 'ok-text' : 'error-text'}>
                        ({signed(c.apAfter - c.apBefore)}){' '}
                      </span>
                    )}
                  </>
                )}
                <span className="muted">
                  {' '}
                  on {items} item{items === 1 ? '' : 's'}, {c.heldOutPositives} positive
                  {tooFew && c.apBefore !== null && c.apAfter !== null && (
                    <span data-testid="retrain-too-few">
                      : too few to judge (needs {HELD_OUT_TO_JUDGE.items} items and {HELD_OUT_TO_JUDGE.positives}{' '}
                      positives)
                    </span>
                  )}
                </span>
              </span>
            );
          })}
        </div>
      )}
    </div>
  );
}

export function LabelingScreen() {
  const noteRef = useRef<HTMLInputElement>(null);
  useLabelKeys(noteRef);
  const {
    session,
    taxonomy,
    batch,
    index,
    drafts,
    saving,
    progress,
    error,
    loadingBatch,
    helpOpen,
    retraining,
    autoRetrain,
  } = useLabeling();
  // An annotator's link labels; retraining is the lead's.
  const annotatorOnly = useRole((state) => state.role === 'annotator');
  const retrainKey = useKeymap((state) => state.keymap.retrain[0]);
  const s = useLabeling.getState();
  const batchId = batch?.id;
  useEffect(() => {
    // The pictures of the items next in line (and the one before), once the batch's media lists are in (one call).
    const items = useLabeling.getState().batch?.items ?? [];
    const next = [...items.slice(index + 1, index + 1 + MEDIA_AHEAD), ...items.slice(Math.max(0, index - 1), index)];
    const types = new Map(items.map((entry) => [entry.contentId, entry.contentType]));
    prefetchMedia(
      items.map((entry) => entry.contentId),
      next.map((entry) => entry.contentId),
      (id) => (types.get(id) === 'image' ? 'image' : types.get(id) === 'video' ? 'video' : null),
    );
  }, [batchId, index]);
  if (!session || !taxonomy) return null;
  const item = batch?.items[index] ?? null;
  const draft = item ? (drafts[item.contentId] ?? { selected: {}, note: '' }) : null;
  return (
    <div className="labeling" data-testid="labeling-screen">
      <div className="label-header">
        <button onClick={() => s.close()} data-testid="label-back">
          ← Sessions
        </button>
        <strong>{session.name}</strong>
        <span className="muted">
          {STRATEGY_TITLES[session.strategy]} · {session.model} {session.version} · policy {session.policyVersion}
        </span>
        <span className="spacer" />
        {progress && (
          <span className="label-progress" data-testid="label-progress">
            {progress.batch && (
              <span>
                batch{' '}
                <strong>
                  {progress.batch.done}/{progress.batch.size}
                </strong>
              </span>
            )}
            <span>
              session <strong>{progress.done.toLocaleString('en-US')}</strong> of{' '}
              {progress.total.toLocaleString('en-US')} done
            </span>
            <span>{progress.remaining.toLocaleString('en-US')} remaining</span>
            {progress.skipped > 0 && <span>{progress.skipped} skipped (they come back at the end)</span>}
            <span>{progress.itemsPerHour === null ? '— items/h' : `${Math.round(progress.itemsPerHour)} items/h`}</span>
            <span>
              {progress.medianSecondsPerItem === null
                ? '— s/item'
                : `median ${progress.medianSecondsPerItem.toFixed(1)} s/item`}
            </span>
          </span>
        )}
        {!annotatorOnly && (
          <>
            <label className="toggle" title="Retrain after every finished batch">
              <input
                type="checkbox"
                checked={autoRetrain}
                onChange={(event) => s.setAutoRetrain(event.target.checked)}
                tabIndex={-1}
                data-testid="auto-retrain"
              />{' '}
              retrain after each batch
            </label>
            <button
              onClick={() => s.retrain()}
              disabled={retraining.jobId !== null}
              title={`Retrain the model on the labels so far${retrainKey ? ` (${keyLabel(retrainKey)})` : ''}`}
              data-testid="retrain-button"
              tabIndex={-1}
            >
              {retraining.jobId ? 'Retraining…' : 'Retrain'}
            </button>
          </>
        )}
        <WellnessButton annotator={s.annotator} />
        <button onClick={() => s.setHelp(true)} title="Shortcuts and guidelines" data-testid="label-help-button">
          <KeyHint action="help" /> Shortcuts
        </button>
      </div>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      <BreakReminder />
      <RetrainPanel session={session} />
      {batch?.finished && (
        <div className="empty" data-testid="label-finished">
          Nothing left to label in this session. Every item of the pool is done.
        </div>
      )}
      {!batch && loadingBatch && <div className="empty">Loading the batch…</div>}
      {item && draft && (
        <div className="label-main">
          <section className="label-item" data-testid="label-item" data-content-id={item.contentId}>
            <div className="label-item-head">
              <span className="muted">
                item {index + 1} of {batch!.items.length} in this batch · rank {item.rank.toLocaleString('en-US')} of{' '}
                {item.poolSize.toLocaleString('en-US')} in the pool
              </span>
              <span className={`label-save save-${saving[item.contentId] ?? 'none'}`} data-testid="label-status">
                {statusText(item, saving[item.contentId])}
              </span>
            </div>
            <MediaPanel contentId={item.contentId} main />
            <p className="label-text" data-testid="label-text">
              {item.text ?? <span className="muted">(no text)</span>}
            </p>
            <p className="label-reason" data-testid="label-reason">
              <strong>Why this item:</strong> {reasonText(item.reason)}
            </p>
            <ItemContext item={item} />
            <label className="label-note">
              <KeyHint action="note" /> note
              <input
                ref={noteRef}
                value={draft.note}
                onChange={(event) => s.setNote(event.target.value)}
                placeholder="optional; Enter or Esc returns to the keys"
                data-testid="label-note"
              />
            </label>
          </section>
          <aside className="label-side">
            <CategoryPanel taxonomy={taxonomy} draft={draft} scores={item.scores} />
            <div className="label-actions">
              <button className="primary" onClick={() => s.submit()} tabIndex={-1} data-testid="label-submit">
                <KeyHint action="submit" /> Submit
              </button>
              <button onClick={() => s.noneOfThese()} tabIndex={-1}>
                <KeyHint action="noneOfThese" /> None of these
              </button>
              <button onClick={() => s.skip()} tabIndex={-1}>
                <KeyHint action="skip" /> Skip
              </button>
              <button onClick={() => s.unsure()} tabIndex={-1}>
                <KeyHint action="unsure" /> Unsure
              </button>
              <button onClick={() => s.undo()} tabIndex={-1}>
                <KeyHint action="undo" /> Undo
              </button>
            </div>
            {item.scores && (
              <div className="label-model muted">
                {session.model} {session.version}:{' '}
                {Object.entries(item.scores)
                  .map(([c, v]) => `${c} ${fmt(v, 2)}`)
                  .join(' · ')}
              </div>
            )}
          </aside>
        </div>
      )}
      {batch && batch.items.length > 0 && <BatchStrip batch={batch} index={index} saving={saving} />}
      {helpOpen && <ShortcutsHelp taxonomy={taxonomy} />}
    </div>
  );
}
