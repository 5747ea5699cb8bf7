/**
 * Policy migration: the labels made under the previous policy version carried to the next by its declared changes
 * (shared/taxonomy.ts's carryOver), and the items those changes leave undetermined queued for relabeling.
 */
import type { PolicyMigration } from '../../../shared/contract.js';
import { currentLabelsSql } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import { carryOver, policyVersionNumber } from '../../../shared/taxonomy.js';
import type { JobContext } from '../jobs.js';
import { quoteLiteral } from '../workspace/workspace.js';
import type { EventRecord, LabelingRecord, MigrationRecord } from './journalRecords.js';
import type { LabelingCore } from './labelingCore.js';
import { type PackEvent, stableId } from './labelInterchange.js';
import type { Recording } from './recording.js';
import type { Sessions } from './sessions.js';

/** The event and action ids a policy migration derives start with it. */
const CARRY_PREFIX = 'carry';

export interface MigrationParts {
  core: LabelingCore;
  sessions: Sessions;
  recording: Recording;
}

/**
 * Carries the labels made under the previous policy version to `to` (the latest by default) by its declared
 * changes: determined ones become events under `to` in a session "Carried over to policy <to>"; the items whose
 * labels a change leaves undetermined go into a session "Relabel under policy <to>" — the relabel queue. Event ids
 * derive from the labels carried, so running it twice adds nothing. All-or-nothing: the sessions, the carried
 * events and a `migration` record are one journal append (see labelJournal.ts), so a run killed at any point
 * either did all of it or left nothing, and running it again finishes the job.
 */
export async function migratePolicy(
  parts: MigrationParts,
  to: string | undefined,
  ctx: JobContext,
): Promise<PolicyMigration> {
  const { core, sessions, recording } = parts;
  const { workspace, registry, policy, state, rankings } = core;
  const target = to ?? policy.latestVersion();
  const next = policy.get(target);
  const number = policyVersionNumber(target);
  if (number < 2)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `to: ${target} is the first policy version; there is nothing to carry over to it.`,
    });
  const from = `v${number - 1}`;
  policy.get(from);
  await core.store.sync();
  // What is carried is decided by the labels made under `from` alone, which the migration never changes: a run
  // killed part way and run again decides the same events (their ids derive from them) and writes the rest. An
  // annotator who has labeled an item under `to` herself is not carried over on it.
  const labels = await workspace.withStore(async (conn) =>
    (
      await conn.runAndReadAll(
        `WITH human_to AS (SELECT DISTINCT content_id, annotator_id FROM label_events WHERE policy_version = $to AND NOT starts_with(event_id, '${CARRY_PREFIX}-'))
         SELECT content_id, annotator_id, category, value, leaf, kind, event_id
         FROM (${currentLabelsSql('(SELECT * FROM label_events WHERE policy_version = $from)')}) ANTI JOIN human_to USING (content_id, annotator_id)
         ORDER BY content_id, annotator_id, category`,
        { from, to: target },
      )
    ).getRowsJson(),
  );
  // Per item and annotator: their values under the old version (a merge needs the siblings).
  const groups = new Map<
    string,
    {
      contentId: string;
      annotator: string;
      kind: string;
      labels: { category: string; value: 0 | 1; leaf: string | null; eventId: string }[];
    }
  >();
  for (const [contentId, annotator, category, value, leaf, kind, eventId] of labels) {
    const key = `${contentId}\u0000${annotator}\u0000${kind}`;
    const group = groups.get(key) ?? {
      contentId: String(contentId),
      annotator: String(annotator),
      kind: String(kind),
      labels: [],
    };
    group.labels.push({
      category: String(category),
      value: value === '1' ? 1 : 0,
      leaf: leaf === null ? null : String(leaf),
      eventId: String(eventId),
    });
    groups.set(key, group);
  }
  const carried: PackEvent[] = [];
  const relabel = new Map<string, string>(); // item → why
  for (const group of groups.values()) {
    const siblings = Object.fromEntries(group.labels.map((label) => [label.category, label.value]));
    const actionId = stableId(CARRY_PREFIX, from, target, group.contentId, group.annotator, group.kind);
    for (const label of group.labels) {
      for (const outcome of carryOver(label, next, siblings)) {
        if (outcome.kind === 'relabel') {
          if (!relabel.has(group.contentId)) relabel.set(group.contentId, outcome.because);
          continue;
        }
        carried.push({
          event_id: stableId(CARRY_PREFIX, from, target, label.eventId, outcome.category),
          action_id: actionId,
          annotator_id: group.annotator,
          content_id: group.contentId,
          kind: group.kind as 'label' | 'adjudicate',
          category: outcome.category,
          value: String(outcome.value),
          leaf: outcome.leaf,
          note: `carried over from ${from}: ${outcome.because}`,
          undoes: null,
          policy_version: target,
          created_at: new Date().toISOString(),
        });
      }
    }
  }
  // A merge carries one merged value per item, annotator and kind, however many parts said so.
  const decided = [
    ...new Map(
      carried.map((event) => [
        `${event.content_id}\u0000${event.annotator_id}\u0000${event.kind}\u0000${event.category}`,
        event,
      ]),
    ).values(),
  ];
  const unique = decided.filter((event) => !state.eventIds.has(event.event_id));
  const model = (await registry.list()).find((info) => !info.error && info.kind === 'distilled_text');
  const carriedName = `Carried over to policy ${target}`;
  const relabelName = `Relabel under policy ${target}`;
  const earlier = (name: string) =>
    [...state.sessions.values()].filter((session) => session.name === name && session.policy_version === target);
  const newSession = (name: string, ids: string[], strategy: 'random' | 'relabel') =>
    sessions.prepare(
      {
        name,
        pool: `SELECT content_id FROM content WHERE content_id::VARCHAR IN (${ids.map(quoteLiteral).join(', ')})`,
        model: model!.name,
        strategy,
        batchSize: 20,
      },
      ctx,
    );
  // Everything the migration writes goes to the journal in one append, after the rankings are in the store: a kill
  // before it leaves no trace a re-run could trip on (it redoes the migration), a kill after it leaves it done.
  const records: LabelingRecord[] = [];
  let carriedSession = earlier(carriedName).at(-1)?.id ?? null;
  let carriedEvents: EventRecord[] = [];
  if (unique.length > 0 && model) {
    const items = [...new Set(unique.map((event) => event.content_id))];
    // Into the last such session when its pool holds every item (labels changed under the old version since), else a new one.
    const last = earlier(carriedName).at(-1);
    const lastPool = last ? (await rankings.of(last.id)).index : null;
    const into =
      last && lastPool && items.every((id) => lastPool.has(id))
        ? { record: last, inPool: lastPool }
        : await newSession(carriedName, items, 'random');
    if (into.record !== last) records.push(into.record);
    carriedEvents = recording.checkedEvents(into.record, into.inPool, unique, `policy ${from} → ${target}`);
    records.push(...carriedEvents);
    carriedSession = into.record.id;
  }
  // Items an earlier run queued for relabeling stay in that session; only new ones make a new one.
  const queued = new Set<string>();
  for (const session of earlier(relabelName)) for (const id of (await rankings.of(session.id)).ids) queued.add(id);
  const toQueue = [...relabel.keys()].filter((id) => !queued.has(id));
  let relabelSession = earlier(relabelName).at(-1)?.id ?? null;
  if (toQueue.length > 0 && model) {
    const { record } = await newSession(relabelName, toQueue, 'relabel');
    records.push(record);
    relabelSession = record.id;
  }
  if (ctx.signal.aborted)
    throw new SiftError({ code: 'CANCELLED', message: 'Policy migration cancelled; nothing was carried over.' });
  if (records.length > 0) {
    const done: MigrationRecord = {
      t: 'migration',
      from,
      to: target,
      carried: carriedEvents.length,
      relabel: toQueue.length,
      carried_session: carriedSession,
      relabel_session: relabelSession,
      at: new Date().toISOString(),
    };
    await core.writer.append([...records, done]);
  }
  return {
    from,
    to: target,
    carried: decided.length,
    alreadyCarried: decided.length - unique.length,
    relabel: relabel.size,
    carriedSession,
    relabelSession,
    reasons: [...new Set(relabel.values())],
  };
}
