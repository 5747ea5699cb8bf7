/**
 * Label events enter the journal here, checked: an annotator's actions (the labeling screen, `sift labels ingest`)
 * and events made elsewhere (a label pack, a Label Studio export, a policy migration's carried labels). One bad
 * action or event refuses the whole call before anything is written.
 */
import type { LabelAction, RecordOutcome } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { type EventRecord, newId, type SessionRecord } from './journalRecords.js';
import type { LabelingCore } from './labelingCore.js';
import type { ActionOwner } from './labelingState.js';
import type { PackEvent } from './labelInterchange.js';
import { sessionProgress } from './progress.js';

/** The fields an action's events differ in; the rest are the action's. */
type EventFields = Pick<EventRecord, 'kind'> & Partial<Pick<EventRecord, 'category' | 'value' | 'leaf' | 'note'>>;

interface PendingAction {
  actionId: string;
  kind: string;
  contentId: string | null;
}

export class Recording {
  constructor(private readonly core: LabelingCore) {}

  /**
   * Records actions in order with one journal append (one fsync): the path both the labeling screen (one action)
   * and `sift labels ingest` (whatever arrived together) take. An invalid action rejects the whole call before
   * anything is written.
   */
  recordMany(sessionId: string, annotator: string, actions: LabelAction[]): Promise<RecordOutcome[]> {
    const { state, policy, rankings } = this.core;
    return this.core.writer.exclusive(async (commit) => {
      const session = state.session(sessionId);
      const taxonomy = policy.get(session.policy_version);
      const ranked = await rankings.of(sessionId);
      const log = state.logFor(sessionId);
      // Undo targets among this call's own actions are found on a scratch copy of the order of actions.
      const pendingUndone = new Set<string>();
      const pendingActions: PendingAction[] = [];
      const records: EventRecord[] = [];
      const outcomes: {
        actionId: string;
        eventIds: string[];
        contentId: string | null;
        undone: RecordOutcome['undone'];
      }[] = [];
      actions.forEach((action, index) => {
        const where = actions.length > 1 ? `action ${index + 1}: ` : '';
        const now = new Date().toISOString();
        const actionId = newId('a');
        const base = {
          t: 'event' as const,
          session_id: sessionId,
          annotator_id: annotator,
          policy_version: session.policy_version,
          action_id: actionId,
          strategy: session.strategy,
          created_at: now,
          note: null,
          leaf: null,
          undoes: null,
          category: null,
          value: null,
        };
        if (action.kind === 'undo') {
          let target: PendingAction | null = null;
          for (let i = pendingActions.length - 1; i >= 0 && !target; i--)
            if (!pendingUndone.has(pendingActions[i]!.actionId)) target = pendingActions[i]!;
          if (!target) {
            const logged = log.undoTarget(sessionId, annotator, pendingUndone);
            if (logged) target = { actionId: logged.actionId, kind: logged.kind, contentId: logged.contentId };
          }
          if (!target) {
            outcomes.push({ actionId, eventIds: [], contentId: null, undone: null });
            return;
          }
          pendingUndone.add(target.actionId);
          const eventId = newId('e');
          records.push({
            ...base,
            event_id: eventId,
            content_id: target.contentId,
            kind: 'undo',
            undoes: target.actionId,
          });
          outcomes.push({ actionId, eventIds: [eventId], contentId: target.contentId, undone: target });
          return;
        }
        if (!ranked.index.has(action.contentId)) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}content_id ${action.contentId} is not in session ${sessionId}'s pool.`,
          });
        }
        const eventIds: string[] = [];
        const push = (fields: EventFields) => {
          const eventId = newId('e');
          eventIds.push(eventId);
          records.push({ ...base, ...fields, event_id: eventId, content_id: action.contentId });
        };
        if (action.kind === 'label' || action.kind === 'adjudicate') {
          const seen = new Set<string>();
          action.labels.forEach((label, i) => {
            const category = taxonomy.categories.find((c) => c.name === label.category);
            if (!category)
              throw new SiftError({
                code: 'BAD_REQUEST',
                message: `${where}labels.${i}.category: "${label.category}" is not a category of policy ${taxonomy.version} (${taxonomy.categories.map((c) => c.name).join(', ')}).`,
              });
            if (seen.has(label.category))
              throw new SiftError({
                code: 'BAD_REQUEST',
                message: `${where}labels.${i}.category: "${label.category}" is labeled twice in one action.`,
              });
            seen.add(label.category);
            const leaf = label.leaf ?? null;
            if (leaf !== null) {
              if (!category.leaves.some((l) => l.name === leaf))
                throw new SiftError({
                  code: 'BAD_REQUEST',
                  message: `${where}labels.${i}.leaf: "${leaf}" is not a leaf of ${category.name} in policy ${taxonomy.version}${category.leaves.length ? ` (${category.leaves.map((l) => l.name).join(', ')})` : ' (it has none)'}.`,
                });
              if (label.value !== 1)
                throw new SiftError({
                  code: 'BAD_REQUEST',
                  message: `${where}labels.${i}.leaf: a leaf is chosen only when the category applies (value 1).`,
                });
            }
            push({
              kind: action.kind,
              category: label.category,
              value: String(label.value),
              leaf,
              note: i === 0 ? (action.note ?? null) : null,
            });
          });
        } else if (action.kind === 'skip') {
          push({ kind: 'skip' });
        } else if (action.kind === 'unsure') {
          push({ kind: 'unsure', note: action.note ?? null });
        } else {
          push({ kind: 'note', note: action.note });
        }
        pendingActions.push({ actionId, kind: action.kind, contentId: action.contentId });
        outcomes.push({ actionId, eventIds, contentId: action.contentId, undone: null });
      });
      if (records.length > 0) await commit(records);
      const progress = sessionProgress(state, sessionId, annotator);
      return outcomes.map((outcome) => ({
        ...outcome,
        item: outcome.contentId === null ? null : (log.item(annotator, outcome.contentId) ?? null),
        progress,
      }));
    });
  }

  /**
   * The journal records of events made elsewhere that the journal lacks, each checked against the session — item in
   * the pool, category and leaf in the policy, the session's policy version, an undo only of its author's own action
   * made before it in this session, no event joining another annotator's action; one bad event refuses them all.
   * Run inside the writer's `exclusive`, so the journal's ids cannot change before the records are committed.
   */
  checkedEvents(
    session: SessionRecord,
    inPool: { has(id: string): boolean },
    events: PackEvent[],
    source: string,
  ): EventRecord[] {
    const { state } = this.core;
    const sessionId = session.id;
    const taxonomy = this.core.policy.get(session.policy_version);
    const fresh = events.filter((event) => !state.eventIds.has(event.event_id));
    const seen = new Set<string>();
    const records: EventRecord[] = [];
    // The actions this import makes, in order: an undo in it may name one made above it.
    const importedOwners = new Map<string, ActionOwner>();
    const ownerOf = (actionId: string) => importedOwners.get(actionId) ?? state.actionOwners.get(actionId);
    for (const event of fresh) {
      const where = `${source} ${event.line !== undefined ? `line ${event.line}` : `event ${events.indexOf(event) + 1}`} (${event.event_id})`;
      if (seen.has(event.event_id)) continue; // the same event twice in one file
      seen.add(event.event_id);
      const actionId = event.action_id ?? event.event_id;
      if (event.kind === 'undo') {
        // An undo reverses its author's own action, in this session, made before it.
        const owner = event.undoes ? ownerOf(event.undoes) : undefined;
        if (!event.undoes || !owner || owner.session !== sessionId) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: an undo of ${event.undoes ? `action ${event.undoes}, which is not an action of session ${sessionId} made before it` : 'no action (undoes is empty)'}.`,
          });
        }
        if (owner.annotator !== event.annotator_id) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: "${event.annotator_id}" undoes action ${event.undoes}, which is "${owner.annotator}"'s; an undo may only reverse its author's own actions.`,
          });
        }
      } else {
        const owner = ownerOf(actionId);
        if (owner && (owner.annotator !== event.annotator_id || owner.session !== sessionId)) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: action_id ${actionId} is an action of "${owner.annotator}" already in this workspace; an event by "${event.annotator_id}" cannot join it.`,
          });
        }
        if (!owner) importedOwners.set(actionId, { annotator: event.annotator_id, session: sessionId });
      }
      if (event.policy_version !== session.policy_version) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: made under policy ${event.policy_version}; session ${sessionId} labels under ${session.policy_version}. Import it into a session of that policy.`,
        });
      }
      if (!inPool.has(event.content_id))
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: content_id ${event.content_id} is not in session ${sessionId}'s pool.`,
        });
      let value: string | null = null;
      if (event.kind === 'label' || event.kind === 'adjudicate') {
        const category = taxonomy.categories.find((c) => c.name === event.category);
        if (!category)
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: category "${event.category ?? ''}" is not in policy ${taxonomy.version}.`,
          });
        value = String(event.value ?? '');
        if (value !== '0' && value !== '1')
          throw new SiftError({ code: 'BAD_REQUEST', message: `${where}: value must be 0 or 1, not "${value}".` });
        if (event.leaf && !category.leaves.some((leaf) => leaf.name === event.leaf))
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: "${event.leaf}" is not a leaf of ${category.name}.`,
          });
      }
      records.push({
        t: 'event',
        event_id: event.event_id,
        session_id: sessionId,
        content_id: event.content_id,
        annotator_id: event.annotator_id,
        category: event.kind === 'label' || event.kind === 'adjudicate' ? event.category! : null,
        value,
        policy_version: event.policy_version,
        kind: event.kind,
        created_at: new Date(event.created_at).toISOString(),
        action_id: actionId,
        leaf: event.leaf ?? null,
        note: event.note ?? null,
        undoes: event.undoes ?? null,
        strategy: session.strategy,
      });
    }
    return records;
  }
}
