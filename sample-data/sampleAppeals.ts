/** The platform sample's appeals (generate.ts): drawn after every other table, from their own random stream. */
import { Random } from '../shared/random.js';
import { type TableSink, timestampText as ts } from './tableWriter.js';
import type { TrueCategory } from './texts.js';

const HOUR = 3_600_000;

/** A removal of a content item, as generate.ts made it. */
export interface Removal {
  actionId: string;
  contentId: string;
  when: number;
  truth: TrueCategory;
}

/**
 * Appeals of removals: wrongly removed content is appealed often and mostly overturned, rightly removed content
 * seldom and mostly upheld; appeals still open when the export ends have no decision. Drawn from their own random
 * stream after every other table, so adding them changed no other table's rows.
 */
export function drawAppeals(
  seed: number,
  removals: Removal[],
  end: number,
  sink: TableSink,
  truth: { appeals: number; decided: number; overturned: number; appealed_items: number; removed_items: number },
) {
  const rng = new Random((seed ^ 0x0a99ea15) >>> 0);
  truth.removed_items = removals.length;
  for (const removal of removals) {
    const wrongly = removal.truth === 'none';
    if (!rng.chance(wrongly ? 0.45 : 0.06)) continue;
    const filed = removal.when + rng.logNormal(2.5, 1) * HOUR;
    if (filed >= end) continue;
    const decided = filed + rng.logNormal(3, 0.8) * HOUR;
    const outcome = rng.chance(wrongly ? 0.8 : 0.1) ? 'overturned' : 'upheld';
    const open = decided >= end;
    sink.push([
      `ap${String(++truth.appeals).padStart(7, '0')}`,
      removal.contentId,
      removal.actionId,
      ts(filed),
      open ? null : ts(decided),
      open ? null : outcome,
    ]);
    truth.appealed_items++;
    if (!open) truth.decided++;
    if (!open && outcome === 'overturned') truth.overturned++;
  }
}
