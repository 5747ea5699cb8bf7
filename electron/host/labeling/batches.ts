/**
 * Batches: which items an annotator labels next. A batch takes the next eligible items of the session's ranked pool
 * (overlap, work stealing, at most one per near-duplicate cluster of text or of media, skipped items last), stays
 * the annotator's until every item in it is done, and the one after it is chosen ahead while it is labeled.
 */
import type { BatchItem, LabelBatch } from '../../../shared/contract.js';
import { isDone, pickDistinct } from '../../../shared/labeling.js';
import type { PickReason } from '../../../shared/labelingRanking.js';
import { type BatchRecord, newId, type SessionRecord } from './journalRecords.js';
import type { LabelingCore } from './labelingCore.js';
import { mediaHashesOfItems } from '../media/clusters.js';
import { annotatorKey } from './labelingState.js';
import { type ItemContext, readItemContext, readTexts } from './poolData.js';
import { sessionProgress } from './progress.js';

/** Candidates read per step while filling a batch, as a multiple of the batch size. */
const CANDIDATE_WINDOW = 4;
const CONTEXT_CACHE_BATCHES = 4;

export class Batches {
  /** The batch chosen ahead for an annotator, keyed by session and annotator, valid after batch `after`. */
  private readonly prepared = new Map<string, { after: string; picked: string[]; deferred: number }>();
  private readonly preparing = new Map<string, Promise<void>>();
  /** Each session's item contexts (text, reports, actions, scores), read once. */
  private readonly contexts = new Map<string, Map<string, ItemContext>>();

  constructor(private readonly core: LabelingCore) {
    // Everything read under a session's old version goes with a rerank: the batch chosen ahead, the items' scores.
    core.state.onRerank((sessionId) => {
      this.contexts.delete(sessionId);
      for (const key of this.prepared.keys())
        if (key.startsWith(annotatorKey(sessionId, ''))) this.prepared.delete(key);
    });
  }

  /** The annotator's open batch, or a new one. One writer: two calls never hand out two batches at once. */
  next(sessionId: string, annotator: string): Promise<LabelBatch> {
    const { state } = this.core;
    state.touch(sessionId, annotator, Date.now()); // asking for work is activity: this annotator's reservations hold
    return this.core.writer.exclusive(async (commit) => {
      const session = state.session(sessionId);
      const working = state.currentBatch(sessionId, annotator);
      // An untouched batch chosen under an older model version gives way to one from the re-ranked pool.
      const stale =
        working?.open &&
        (working.batch.version ?? session.version) !== session.version &&
        working.batch.items.every((id) => state.isOpenItem(sessionId, annotator, id));
      if (working?.open && !stale) {
        this.prepareNext(session, annotator, working.batch);
        return this.describe(session, working.batch, annotator);
      }
      const replaces = stale ? working.batch.id : undefined;
      const size = session.batch_size;
      const { eligible, returnable } = this.eligibility(sessionId, annotator);
      const key = annotatorKey(sessionId, annotator);
      if (replaces) this.prepared.delete(key);
      await this.preparing.get(key); // half-way there is closer than starting over
      const prepared = this.prepared.get(key);
      this.prepared.delete(key);
      let picked: string[];
      let deferred: number;
      // A batch prepared while the last one was labeled holds if every item in it is still eligible.
      if (prepared && prepared.after === working?.batch.id && prepared.picked.every(eligible))
        ({ picked, deferred } = prepared);
      else ({ picked, deferred } = await this.select(sessionId, size, eligible));
      // Skipped items come back at the end, once everything else is handed out.
      let returning = 0;
      for (const id of returnable) {
        if (picked.length >= size) break;
        picked = [...picked, id];
        returning++;
      }
      if (picked.length === 0) {
        return {
          id: '',
          sessionId,
          annotator,
          items: [],
          deferredDuplicates: 0,
          returningSkipped: 0,
          createdAt: new Date().toISOString(),
          finished: true,
          progress: sessionProgress(state, sessionId, annotator),
        };
      }
      const batch: BatchRecord = {
        t: 'batch',
        id: newId('b'),
        session_id: sessionId,
        annotator_id: annotator,
        items: picked,
        deferred,
        returning_skipped: returning,
        created_at: new Date().toISOString(),
        version: session.version,
        ...(replaces ? { replaces } : {}),
      };
      await commit([batch]);
      this.prepareNext(session, annotator, batch);
      return this.describe(session, batch, annotator);
    });
  }

  /**
   * Which items may go into an annotator's next batch, and which skipped items may come back. With overlap k, an item
   * is handed out until k annotators have labeled it (or hold it in an open batch), and never twice to one annotator.
   */
  private eligibility(sessionId: string, annotator: string, alsoExcluded: ReadonlySet<string> = new Set()) {
    const { state } = this.core;
    const overlap = state.session(sessionId).overlap ?? 1;
    const log = state.logFor(sessionId);
    const claims = new Map<string, number>(); // item → annotators other than this one who labeled it or hold it
    const mine = log.items.get(annotator);
    for (const [who, items] of log.items) {
      if (who === annotator) continue;
      for (const [id, itemState] of items) if (isDone(itemState)) claims.set(id, (claims.get(id) ?? 0) + 1);
    }
    // Items waiting in another annotator's open batch are theirs for now — unless they went idle (work stealing:
    // nobody waits on a batch its holder walked away from; their labels still count if they come back to it).
    for (const batch of state.liveBatches(sessionId)) {
      if (batch.annotator_id === annotator || state.idle(sessionId, batch.annotator_id)) continue;
      for (const id of batch.items)
        if (state.isOpenItem(sessionId, batch.annotator_id, id)) claims.set(id, (claims.get(id) ?? 0) + 1);
    }
    const full = (id: string) => (claims.get(id) ?? 0) >= overlap;
    const doneByMe = (id: string) => isDone(mine?.get(id));
    const skipped = [...(mine?.values() ?? [])]
      .filter((itemState) => itemState.status === 'skipped')
      .sort((a, b) => (a.at! < b.at! ? -1 : 1));
    const skippedIds = new Set(skipped.map((itemState) => itemState.contentId));
    const eligible = (id: string) => !full(id) && !doneByMe(id) && !skippedIds.has(id) && !alsoExcluded.has(id);
    const returnable = skipped
      .map((itemState) => itemState.contentId)
      .filter((id) => !full(id) && !alsoExcluded.has(id));
    return { eligible, returnable };
  }

  /** Walks the ranked pool for a batch's worth of eligible, mutually distinct items. */
  private async select(
    sessionId: string,
    size: number,
    eligible: (id: string) => boolean,
  ): Promise<{ picked: string[]; deferred: number }> {
    const ranked = await this.core.rankings.of(sessionId);
    const candidates: string[] = [];
    const texts = new Map<string, string>(); // read once per candidate, however many steps the walk takes
    const media = new Map<string, string[]>(); // the perceptual hashes of those with media
    let cursor = 0;
    let picked: string[] = [];
    let deferred = 0;
    while (picked.length < size && cursor < ranked.ids.length) {
      // Each step reads as many candidates again as the last (at least a few batches' worth): a pool whose top is
      // one campaign of a thousand copies is passed in a few steps, not a thousand.
      const target = candidates.length + Math.max(size * CANDIDATE_WINDOW, candidates.length);
      while (cursor < ranked.ids.length && candidates.length < target) {
        const id = ranked.ids[cursor++]!;
        if (eligible(id)) candidates.push(id);
      }
      const unread = candidates.filter((id) => !texts.has(id));
      for (const [id, text] of await readTexts(this.core.workspace, unread)) texts.set(id, text);
      for (const [id, hashes] of await mediaHashesOfItems(this.core.workspace, unread)) media.set(id, hashes);
      const choice = pickDistinct(
        candidates.map((contentId) => ({ contentId, text: texts.get(contentId) ?? '', media: media.get(contentId) })),
        size,
      );
      picked = choice.picked.map((candidate) => candidate.contentId);
      const lastPicked = picked.length > 0 ? candidates.indexOf(picked.at(-1)!) : -1;
      deferred = lastPicked + 1 - picked.length;
      if (cursor >= ranked.ids.length && picked.length < size) {
        // The pool has no distinct item left: its near-duplicates come next (before skipped items), in rank order.
        const extra = choice.deferred.slice(0, size - picked.length).map((candidate) => candidate.contentId);
        picked.push(...extra);
        deferred = Math.max(0, deferred - extra.length);
      }
    }
    return { picked, deferred };
  }

  /**
   * While the annotator labels a batch, the one after it is chosen and its context read, so the next batch is on
   * screen without waiting for the pool walk and the context queries. Checked again when it is handed out.
   */
  /**
   * Waits for every batch being chosen ahead: they read the workspace, and a workspace closed under a read stays
   * open (its file locked against the next Sift process) until that read ends.
   */
  async settle(): Promise<void> {
    await Promise.all(this.preparing.values());
  }

  private prepareNext(session: SessionRecord, annotator: string, batch: BatchRecord): void {
    const key = annotatorKey(session.id, annotator);
    if (this.prepared.get(key)?.after === batch.id || this.preparing.has(key)) return;
    const work = (async () => {
      try {
        const { eligible } = this.eligibility(session.id, annotator, new Set(batch.items));
        const { picked, deferred } = await this.select(session.id, session.batch_size, eligible);
        if (picked.length < session.batch_size) return; // near the end of the pool: chosen fresh, with skipped items
        await this.cacheContext(session, picked);
        this.prepared.set(key, { after: batch.id, picked, deferred });
      } catch {
        // Only a head start: the batch is chosen when asked for.
      } finally {
        this.preparing.delete(key);
      }
    })();
    this.preparing.set(key, work);
  }

  private async cacheContext(session: SessionRecord, ids: string[]): Promise<Map<string, ItemContext>> {
    let cache = this.contexts.get(session.id);
    if (!cache) this.contexts.set(session.id, (cache = new Map()));
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length > 0) {
      const read = await readItemContext(this.core.workspace, missing, session.model, session.version);
      // Kept for the batches in play only: an annotator rarely looks further back than the last two.
      if (cache.size > 4 * CONTEXT_CACHE_BATCHES * session.batch_size) cache.clear();
      for (const [id, context] of read) cache.set(id, context);
    }
    return new Map(ids.map((id) => [id, cache.get(id)!]));
  }

  private async describe(session: SessionRecord, batch: BatchRecord, annotator: string): Promise<LabelBatch> {
    const ranked = await this.core.rankings.of(session.id);
    const context = await this.cacheContext(session, batch.items);
    const log = this.core.state.logFor(session.id);
    const items: BatchItem[] = batch.items.map((id) => {
      const index = ranked.index.get(id) ?? -1;
      return {
        ...context.get(id)!,
        rank: index + 1,
        poolSize: session.pool_size,
        reason: (index >= 0
          ? JSON.parse(ranked.reasons[index]!)
          : { strategy: session.strategy, unscored: true }) as PickReason,
        state: log.item(annotator, id) ?? null,
      };
    });
    return {
      id: batch.id,
      sessionId: session.id,
      annotator,
      items,
      deferredDuplicates: batch.deferred,
      returningSkipped: batch.returning_skipped,
      createdAt: batch.created_at,
      finished: false,
      progress: sessionProgress(this.core.state, session.id, annotator),
    };
  }
}
