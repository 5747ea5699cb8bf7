/**
 * The labeling screen's state. The whole batch is on the client, so moving to the next item never waits on the
 * host; each action is sent in order (one queue, so an undo always follows the label it undoes) and the item shows
 * "saving" until the host says the event is on disk, then "saved".
 */
import { create } from 'zustand';
import type {
  BatchItem,
  LabelAction,
  LabelBatch,
  RecordOutcome,
  SessionProgress,
  SessionSummary,
  Taxonomy,
} from '../../shared/contract';
import type { ItemLabelState } from '../../shared/labeling';
import { api, errorMessage } from '../api/client';
import { awaitJob } from '../jobs/jobsStore';

export type SaveStatus = 'saving' | 'saved' | 'failed';

/** What the annotator has toggled on the current item, before Enter submits it. */
export interface Draft {
  /** category → chosen leaf (null: the category applies, no leaf chosen). A category absent is "does not apply". */
  selected: Record<string, string | null>;
  note: string;
}

const ANNOTATOR_KEY = 'sift-annotator';
const AUTO_RETRAIN_KEY = 'sift-auto-retrain';
const SESSION_KEY = 'sift-label-session';

interface LabelState {
  annotator: string;
  sessions: SessionSummary[];
  session: SessionSummary | null;
  taxonomy: Taxonomy | null;
  batch: LabelBatch | null;
  index: number;
  drafts: Record<string, Draft>;
  saving: Record<string, SaveStatus>;
  progress: SessionProgress | null;
  error: string | null;
  loadingBatch: boolean;
  helpOpen: boolean;
  /** A retrain in progress for this session (the annotator keeps labeling), or its failure. */
  retraining: { jobId: string | null; error: string | null };
  autoRetrain: boolean;
  retrain(): void;
  setAutoRetrain(on: boolean): void;
  setAnnotator(name: string): void;
  refreshSessions(): Promise<void>;
  open(sessionId: string): Promise<void>;
  close(): void;
  move(delta: number): void;
  toggleCategory(category: string): void;
  toggleLeaf(category: string, leaf: string): void;
  cycleLeaf(category: string): void;
  setNote(note: string): void;
  submit(): void;
  noneOfThese(): void;
  skip(): void;
  unsure(): void;
  undo(): void;
  setHelp(open: boolean): void;
}

/** The draft an item starts from: what was recorded for it, or nothing selected. */
export function draftFromState(state: ItemLabelState | null): Draft {
  const selected: Record<string, string | null> = {};
  for (const [category, label] of Object.entries(state?.labels ?? {}))
    if (label.value === 1) selected[category] = label.leaf;
  return { selected, note: state?.note ?? '' };
}

const firstOpen = (batch: LabelBatch) => {
  const index = batch.items.findIndex((item) => item.state === null || item.state.status === 'open');
  return index < 0 ? 0 : index;
};

let sendQueue: Promise<unknown> = Promise.resolve();

export const useLabeling = create<LabelState>((set, get) => {
  const current = (): BatchItem | null => get().batch?.items[get().index] ?? null;

  const updateItem = (contentId: string, state: ItemLabelState | null) =>
    set((s) =>
      s.batch
        ? {
            batch: {
              ...s.batch,
              items: s.batch.items.map((item) => (item.contentId === contentId ? { ...item, state } : item)),
            },
          }
        : {},
    );

  const loadBatch = async () => {
    const { session, annotator } = get();
    if (!session) return;
    set({ loadingBatch: true });
    try {
      const batch = await api['sessions.next']({ sessionId: session.id, annotator });
      set({
        batch,
        progress: batch.progress,
        index: firstOpen(batch),
        drafts: Object.fromEntries(batch.items.map((item) => [item.contentId, draftFromState(item.state)])),
        saving: {},
        loadingBatch: false,
        error: null,
      });
    } catch (error) {
      set({ loadingBatch: false, error: errorMessage(error) });
    }
  };

  /** Sends an action in order; the item shows "saving" until the host has it on disk. */
  const send = (action: LabelAction, contentId: string | null): Promise<RecordOutcome | null> => {
    const { session, annotator } = get();
    if (!session) return Promise.resolve(null);
    if (contentId) set((s) => ({ saving: { ...s.saving, [contentId]: 'saving' } }));
    const sent = sendQueue.then(() => api['labels.record']({ sessionId: session.id, annotator, action }));
    sendQueue = sent.catch(() => undefined);
    return sent.then(
      (outcome) => {
        if (contentId) set((s) => ({ saving: { ...s.saving, [contentId]: 'saved' } }));
        set({ progress: outcome.progress });
        return outcome;
      },
      (error: unknown) => {
        if (contentId) set((s) => ({ saving: { ...s.saving, [contentId]: 'failed' } }));
        set({ error: `Not saved: ${errorMessage(error)}` });
        return null;
      },
    );
  };

  /** After an item is decided: the next open item of the batch, or the next batch when none is left. */
  const advance = () => {
    const { batch, index } = get();
    if (!batch) return;
    const open = (i: number) => {
      const state = batch.items[i]!.state;
      return state === null || state.status === 'open';
    };
    for (let i = index + 1; i < batch.items.length; i++) if (open(i)) return set({ index: i });
    for (let i = 0; i < index; i++) if (open(i)) return set({ index: i });
    // The batch is done: ask for the next once every action of this one is on disk (and retrain, when asked to).
    void sendQueue.then(() => {
      if (get().autoRetrain) get().retrain();
      return loadBatch();
    });
  };

  const decide = (action: LabelAction, optimistic: ItemLabelState) => {
    updateItem(optimistic.contentId, optimistic);
    void send(action, optimistic.contentId).then((outcome) => {
      if (outcome?.item) updateItem(optimistic.contentId, outcome.item);
    });
    advance();
  };

  return {
    annotator: localStorage.getItem(ANNOTATOR_KEY) ?? '',
    sessions: [],
    session: null,
    taxonomy: null,
    batch: null,
    index: 0,
    drafts: {},
    saving: {},
    progress: null,
    error: null,
    loadingBatch: false,
    helpOpen: false,
    retraining: { jobId: null, error: null },
    autoRetrain: localStorage.getItem(AUTO_RETRAIN_KEY) === 'true',

    retrain() {
      const { session, retraining } = get();
      if (!session || retraining.jobId) return;
      const sessionId = session.id;
      void api['sessions.retrain']({ sessionId }).then(
        async ({ jobId }) => {
          set({ retraining: { jobId, error: null } });
          const retrained = await awaitJob('sessions.retrain', jobId).then(
            () => ({ error: null }),
            (error: unknown) => ({ error: errorMessage(error) }),
          );
          if (get().session?.id !== sessionId) return;
          set({ retraining: { jobId: null, error: retrained.error } });
          if (retrained.error === null) {
            // The session now ranks by the new version: its summary says so, and the next batch comes from it.
            const refreshed = await api['sessions.get']({ sessionId, annotator: get().annotator });
            set({ session: refreshed });
            // A batch not started yet is swapped for one from the re-ranked pool.
            const untouched = get().batch?.items.every((item) => item.state === null || item.state.status === 'open');
            if (untouched) await sendQueue.then(loadBatch);
          }
        },
        (error: unknown) => set({ retraining: { jobId: null, error: errorMessage(error) } }),
      );
    },

    setAutoRetrain(on) {
      localStorage.setItem(AUTO_RETRAIN_KEY, String(on));
      set({ autoRetrain: on });
    },

    setAnnotator(name) {
      localStorage.setItem(ANNOTATOR_KEY, name);
      set({ annotator: name });
    },

    async refreshSessions() {
      try {
        const sessions = await api['sessions.list']({});
        set({ sessions, error: null });
        const remembered = localStorage.getItem(SESSION_KEY);
        if (remembered && !get().session && get().annotator && sessions.some((s) => s.id === remembered))
          await get().open(remembered);
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },

    async open(sessionId) {
      const { annotator } = get();
      try {
        const session = await api['sessions.get']({ sessionId, annotator });
        const { taxonomy } = await api['taxonomy.get']({ version: session.policyVersion });
        localStorage.setItem(SESSION_KEY, sessionId);
        set({ session, taxonomy, progress: session.progress ?? null, batch: null, error: null });
        await loadBatch();
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },

    close() {
      localStorage.removeItem(SESSION_KEY);
      set({
        session: null,
        batch: null,
        taxonomy: null,
        progress: null,
        helpOpen: false,
        retraining: { jobId: null, error: null },
      });
      void get().refreshSessions();
    },

    move(delta) {
      const { batch, index } = get();
      if (!batch || batch.items.length === 0) return;
      set({ index: Math.max(0, Math.min(batch.items.length - 1, index + delta)) });
    },

    toggleCategory(category) {
      const item = current();
      if (!item) return;
      set((s) => {
        const draft = s.drafts[item.contentId] ?? { selected: {}, note: '' };
        const selected = { ...draft.selected };
        if (category in selected) delete selected[category];
        else selected[category] = null;
        return { drafts: { ...s.drafts, [item.contentId]: { ...draft, selected } } };
      });
    },

    toggleLeaf(category, leaf) {
      const item = current();
      if (!item) return;
      set((s) => {
        const draft = s.drafts[item.contentId] ?? { selected: {}, note: '' };
        const selected = { ...draft.selected, [category]: draft.selected[category] === leaf ? null : leaf };
        return { drafts: { ...s.drafts, [item.contentId]: { ...draft, selected } } };
      });
    },

    cycleLeaf(category) {
      const item = current();
      const leaves = get().taxonomy?.categories.find((c) => c.name === category)?.leaves ?? [];
      if (!item || leaves.length === 0) return get().toggleCategory(category);
      const chosen = get().drafts[item.contentId]?.selected[category];
      const at = leaves.findIndex((leaf) => leaf.name === chosen);
      if (at === leaves.length - 1) {
        // Past the last leaf: back to "the category applies, no leaf".
        set((s) => {
          const draft = s.drafts[item.contentId]!;
          return {
            drafts: { ...s.drafts, [item.contentId]: { ...draft, selected: { ...draft.selected, [category]: null } } },
          };
        });
      } else get().toggleLeaf(category, leaves[at + 1]!.name);
    },

    setNote(note) {
      const item = current();
      if (!item) return;
      set((s) => ({
        drafts: { ...s.drafts, [item.contentId]: { ...(s.drafts[item.contentId] ?? { selected: {} }), note } },
      }));
    },

    submit() {
      const item = current();
      const taxonomy = get().taxonomy;
      if (!item || !taxonomy) return;
      const draft = get().drafts[item.contentId] ?? { selected: {}, note: '' };
      const labels = taxonomy.categories.map((category) => {
        const chosen = category.name in draft.selected;
        return {
          category: category.name,
          value: (chosen ? 1 : 0) as 0 | 1,
          leaf: chosen ? draft.selected[category.name]! : null,
        };
      });
      const note = draft.note.trim();
      decide(
        { kind: 'label', contentId: item.contentId, labels, ...(note ? { note } : {}) },
        {
          contentId: item.contentId,
          status: 'labeled',
          labels: Object.fromEntries(labels.map((l) => [l.category, { value: l.value, leaf: l.leaf }])),
          note: note || null,
          at: new Date().toISOString(),
        },
      );
    },

    noneOfThese() {
      const item = current();
      if (!item) return;
      set((s) => ({
        drafts: { ...s.drafts, [item.contentId]: { selected: {}, note: s.drafts[item.contentId]?.note ?? '' } },
      }));
      get().submit();
    },

    skip() {
      const item = current();
      if (!item) return;
      decide(
        { kind: 'skip', contentId: item.contentId },
        {
          contentId: item.contentId,
          status: 'skipped',
          labels: item.state?.labels ?? {},
          note: item.state?.note ?? null,
          at: new Date().toISOString(),
        },
      );
    },

    unsure() {
      const item = current();
      if (!item) return;
      const note = get().drafts[item.contentId]?.note.trim();
      decide(
        { kind: 'unsure', contentId: item.contentId, ...(note ? { note } : {}) },
        {
          contentId: item.contentId,
          status: 'unsure',
          labels: item.state?.labels ?? {},
          note: note || null,
          at: new Date().toISOString(),
        },
      );
    },

    undo() {
      void send({ kind: 'undo' }, null).then((outcome) => {
        const contentId = outcome?.undone?.contentId;
        if (!outcome || !contentId) return;
        const batch = get().batch;
        const index = batch?.items.findIndex((item) => item.contentId === contentId) ?? -1;
        if (index >= 0) {
          updateItem(contentId, outcome.item);
          set((s) => ({
            index,
            drafts: { ...s.drafts, [contentId]: draftFromState(outcome.item) },
            saving: { ...s.saving, [contentId]: 'saved' },
          }));
        } else {
          // The undone action belongs to an earlier batch: that batch is open again, so the host hands it back.
          void loadBatch();
        }
      });
    },

    setHelp(open) {
      set({ helpOpen: open });
    },
  };
});
