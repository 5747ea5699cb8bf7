/**
 * What the parts of the labeling service share: the workspace with its models and policy, the journal's state in
 * memory, its one writer, the store that follows it, and the sessions' rankings. LabelingService.open makes one.
 */
import type { ModelRegistry } from '../models/registry.js';
import type { Workspace } from '../workspace/workspace.js';
import type { JournalWriter } from './journalWriter.js';
import type { LabelingState } from './labelingState.js';
import type { PolicyStore } from './policy.js';
import type { SessionRankings } from './sessionRankings.js';
import type { LabelStoreSync } from './storeSync.js';

export interface LabelingCore {
  readonly workspace: Workspace;
  readonly registry: ModelRegistry;
  readonly policy: PolicyStore;
  readonly state: LabelingState;
  readonly writer: JournalWriter;
  readonly store: LabelStoreSync;
  readonly rankings: SessionRankings;
}
